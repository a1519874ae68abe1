using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// The redaction of one payload (its request and its response): every value found gets a typed placeholder, the same
/// one wherever it recurs in the payload (<c>[EMAIL_1]</c> in the question and in the answer), numbered per type in
/// order of appearance. Not thread-safe: one per payload, on the writer's thread.
/// </summary>
internal sealed class Redaction(IReadOnlyList<RedactionDetector> detectors)
{
    private readonly Dictionary<(string Type, string Value), string> _placeholders = [];
    private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

    /// <summary>How many distinct values of each type were replaced.</summary>
    public IReadOnlyDictionary<string, int> Counts => _counts;

    /// <summary><paramref name="text"/> with every finding replaced.</summary>
    /// <exception cref="System.Text.RegularExpressions.RegexMatchTimeoutException">A custom pattern ran past its timeout: the text must not be stored.</exception>
    public string Redact(string text)
    {
        foreach (var detector in detectors)
        {
            if (!detector.MayMatch(text))
            {
                continue;
            }

            text = detector.Pattern.Replace(text, match =>
                detector.Check is null || detector.Check(match.Value) ? Placeholder(detector.Type, match.Value) : match.Value);
        }

        return text;
    }

    /// <summary>
    /// A JSON document with every string value (and every number that is a finding, e.g. a card number) redacted, written
    /// back as JSON; property names are kept. Stops once the output passes <paramref name="limit"/> bytes (the caller
    /// cuts it there). Null when <paramref name="json"/> is not JSON: redact it as text then.
    /// </summary>
    public byte[]? RedactJson(ReadOnlySpan<byte> json, int limit, out bool stoppedEarly)
    {
        stoppedEarly = false;
        var output = new ArrayBufferWriter<byte>(Math.Max(256, Math.Min(json.Length + 256, limit + 1024)));
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            using var writer = new Utf8JsonWriter(output, PayloadJson.WriterOptions);
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        writer.WriteStartObject();
                        break;
                    case JsonTokenType.EndObject:
                        writer.WriteEndObject();
                        break;
                    case JsonTokenType.StartArray:
                        writer.WriteStartArray();
                        break;
                    case JsonTokenType.EndArray:
                        writer.WriteEndArray();
                        break;
                    case JsonTokenType.PropertyName:
                        writer.WritePropertyName(reader.GetString()!);
                        break;
                    case JsonTokenType.String:
                        writer.WriteStringValue(Redact(reader.GetString()!));
                        break;
                    case JsonTokenType.Number:
                        var number = Encoding.UTF8.GetString(reader.ValueSpan);
                        var redacted = Redact(number);
                        if (redacted == number)
                        {
                            writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        }
                        else
                        {
                            writer.WriteStringValue(redacted);
                        }

                        break;
                    case JsonTokenType.True:
                    case JsonTokenType.False:
                    case JsonTokenType.Null:
                        writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
                        break;
                }

                if (writer.BytesCommitted + writer.BytesPending > limit)
                {
                    stoppedEarly = true;
                    break;
                }
            }

            if (!stoppedEarly && reader.BytesConsumed < json.Length && !json[(int)reader.BytesConsumed..].Trim(" \t\r\n"u8).IsEmpty)
            {
                return null;
            }

            writer.Flush();
            return output.WrittenSpan.ToArray();
        }
        catch (JsonException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            // The writer refused a structure the reader let through (a stray value after the root).
            return null;
        }
    }

    private string Placeholder(string type, string value)
    {
        if (_placeholders.TryGetValue((type, value), out var known))
        {
            return known;
        }

        var number = _counts.GetValueOrDefault(type) + 1;
        _counts[type] = number;
        var placeholder = $"[{type}_{number}]";
        _placeholders[(type, value)] = placeholder;
        return placeholder;
    }
}
