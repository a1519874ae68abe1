using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Cli;

/// <summary>
/// Edits string values of a JSON configuration file in place, at their tokens' byte positions, so that everything
/// else — formatting, key order, comments, line endings — stays as the operator wrote it. Keys are matched as the
/// configuration reads them: <c>:</c>-separated, ignoring case, array items by index.
/// </summary>
internal sealed class JsonConfigEditor
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];
    private readonly byte[] _bytes;
    private readonly List<(int Start, int Length, string Replacement)> _edits = [];

    /// <summary>Reads <paramref name="bytes"/>, the file's content; throws <see cref="JsonException"/> when it is not JSON.</summary>
    public JsonConfigEditor(byte[] bytes)
    {
        _bytes = bytes;
        Values = Read(bytes);
    }

    /// <summary>The string values in the file: key, decoded value, and the byte range of the token (quotes included); a key may occur more than once.</summary>
    public IReadOnlyList<(string Key, string Value, int Start, int Length)> Values { get; }

    /// <summary>Replaces the string token at <paramref name="start"/> by <paramref name="value"/>, written as a JSON string.</summary>
    public void Replace(int start, int length, string value) =>
        _edits.Add((start, length, "\"" + JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping) + "\""));

    /// <summary>The file's bytes with every edit made.</summary>
    public byte[] Result()
    {
        var result = new List<byte>(_bytes);
        foreach (var (start, length, replacement) in _edits.OrderByDescending(e => e.Start))
        {
            result.RemoveRange(start, length);
            result.InsertRange(start, Encoding.UTF8.GetBytes(replacement));
        }

        return result.ToArray();
    }

    private static List<(string, string, int, int)> Read(byte[] bytes)
    {
        var offset = bytes.AsSpan().StartsWith(Bom) ? Bom.Length : 0;
        // As the JSON configuration provider reads it.
        var reader = new Utf8JsonReader(bytes.AsSpan(offset), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var values = new List<(string, string, int, int)>();
        // One frame per open object or array: its key, and for an array the index of its next item.
        var frames = new Stack<(string? Key, bool IsArray, int Next)>();
        string? property = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString();
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    frames.Push((frames.Count == 0 ? null : ItemKey(frames, property), reader.TokenType == JsonTokenType.StartArray, 0));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                case JsonTokenType.String:
                    values.Add((ItemKey(frames, property), reader.GetString()!, offset + (int)reader.TokenStartIndex, reader.ValueSpan.Length + 2));
                    break;
                default:
                    ItemKey(frames, property);
                    break;
            }
        }

        return values;
    }

    /// <summary>The key of the value that starts now, in the container on top of <paramref name="frames"/>; advances an array's index.</summary>
    private static string ItemKey(Stack<(string? Key, bool IsArray, int Next)> frames, string? property)
    {
        var (parentKey, isArray, next) = frames.Pop();
        frames.Push((parentKey, isArray, isArray ? next + 1 : next));
        var name = isArray ? next.ToString(System.Globalization.CultureInfo.InvariantCulture) : property!;
        return parentKey is null ? name : parentKey + ":" + name;
    }
}
