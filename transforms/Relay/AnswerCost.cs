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

    // Before the amount in the SSE comment: ": x-aigw-cost-usd=".
    private static readonly byte[] CommentPrefix = System.Text.Encoding.ASCII.GetBytes(": " + Header + "=");

    /// <summary>The comment of a call that paid nothing (a hit, a follower, a resumer), made once.</summary>
    public static byte[] PaidNothingComment { get; } = Comment(0m);

    /// <summary>
    /// Writes the SSE comment the gateway sends just before a terminal event, <c>: x-aigw-cost-usd=&lt;amount&gt;</c> and a
    /// blank line, straight into <paramref name="output"/>: once per stream on the hot path, so no string is built.
    /// </summary>
    public static void WriteComment(IBufferWriter<byte> output, decimal cost)
    {
        // A decimal prints in at most 31 characters (29 digits, a sign and a point).
        var span = output.GetSpan(CommentPrefix.Length + 31 + 2);
        CommentPrefix.CopyTo(span);
        var length = CommentPrefix.Length;
        cost.TryFormat(span[length..], out var digits, provider: CultureInfo.InvariantCulture);
        length += digits;
        "\n\n"u8.CopyTo(span[length..]);
        output.Advance(length + 2);
    }

    private static byte[] Comment(decimal cost)
    {
        var output = new ArrayBufferWriter<byte>(64);
        WriteComment(output, cost);
        return output.WrittenSpan.ToArray();
    }
}
