using System.Buffers;
using System.Globalization;

namespace AiGateway.Transforms.Relay;

/// <summary>How a call's cost is told to its client (CONTRACT §2, §5): a response header, or an SSE comment before a stream's terminal event.</summary>
public static class AnswerCost
{
    /// <summary>The response header with a call's cost.</summary>
    public const string Header = "x-aigw-cost-usd";

    /// <summary>The largest non-stream answer that gets <see cref="Header"/>: the header goes out with the body, which is not held longer.</summary>
    public const int MaxBodyBytesWithHeader = 1024 * 1024;

    /// <summary>The header or comment text of an amount.</summary>
    public static string Format(decimal cost) => cost.ToString(CultureInfo.InvariantCulture);

    /// <summary>The comment of a call that paid nothing (a hit, a follower, a resumer), made once.</summary>
    public static byte[] PaidNothingComment { get; } = Comment(0m);

    /// <summary>The SSE comment the gateway writes just before a terminal event.</summary>
    public static byte[] Comment(decimal cost) => System.Text.Encoding.ASCII.GetBytes(": " + Header + "=" + Format(cost) + "\n\n");

    /// <summary>Writes <see cref="Comment"/> of <paramref name="cost"/> to <paramref name="output"/>, the same bytes without building them first.</summary>
    public static void WriteComment(IBufferWriter<byte> output, decimal cost)
    {
        // Once per stream on the hot path: the string, its concatenation and the byte copy of Comment were three
        // allocations. A decimal prints in at most 31 characters (29 digits, a sign and a point).
        var span = output.GetSpan(CommentPrefix.Length + 31 + 2);
        CommentPrefix.CopyTo(span);
        var length = CommentPrefix.Length;
        cost.TryFormat(span[length..], out var digits, provider: CultureInfo.InvariantCulture);
        length += digits;
        "\n\n"u8.CopyTo(span[length..]);
        output.Advance(length + 2);
    }

    private static ReadOnlySpan<byte> CommentPrefix => ": x-aigw-cost-usd="u8;
}
