using System.Text;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>Deterministic reply text, its split into stream chunks, and rough token counts.</summary>
internal static class MockText
{
    private const int EchoLimit = 200;
    private const string Filler = " lorem";

    /// <summary>Rough OpenAI-like count: a token is about four characters; never zero.</summary>
    public static int Tokens(long chars) => (int)Math.Max(1, chars / 4);

    /// <summary>"Echo: " plus the start of the user's text, padded so that every stream chunk has content.</summary>
    public static string Reply(string? userText, int chunks)
    {
        var sb = new StringBuilder("Echo: ");
        if (string.IsNullOrEmpty(userText))
            sb.Append("(empty)");
        else
            sb.Append(userText, 0, SafeCut(userText, Math.Min(userText.Length, EchoLimit)));
        while (sb.Length < chunks)
            sb.Append(Filler);
        return sb.ToString();
    }

    /// <summary>Start and length of piece <paramref name="index"/> of <paramref name="count"/> near-equal pieces.</summary>
    public static ReadOnlySpan<char> Piece(string text, int index, int count)
    {
        var start = SafeCut(text, (int)((long)text.Length * index / count));
        var end = SafeCut(text, (int)((long)text.Length * (index + 1) / count));
        return text.AsSpan(start, end - start);
    }

    /// <summary>The text of a message content: a string, or the concatenated text of its parts.</summary>
    public static string ContentText(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return content.GetString()!;
            case JsonValueKind.Array:
                var sb = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    if (part.ValueKind == JsonValueKind.String)
                        sb.Append(part.GetString());
                    else if (part.ValueKind == JsonValueKind.Object
                             && part.TryGetProperty("text"u8, out var text)
                             && text.ValueKind == JsonValueKind.String)
                        sb.Append(text.GetString());
                }

                return sb.ToString();
            default:
                return "";
        }
    }

    public static string? String(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public static bool IsTrue(JsonElement obj, ReadOnlySpan<byte> name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.True;

    public static bool IncludeUsage(JsonElement root) =>
        root.TryGetProperty("stream_options"u8, out var so) && so.ValueKind == JsonValueKind.Object
        && IsTrue(so, "include_usage"u8);

    // Never cut between the two halves of a surrogate pair: the JSON writer rejects a lone half.
    private static int SafeCut(string text, int index) =>
        index > 0 && index < text.Length && char.IsLowSurrogate(text[index]) ? index + 1 : index;
}
