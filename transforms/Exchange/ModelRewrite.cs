using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Transforms.Exchange;

/// <summary>Sets the top-level <c>model</c> of a JSON request body, keeping every other byte where it can.</summary>
internal static class ModelRewrite
{
    private static readonly JsonWriterOptions RelaxedWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body of JSON object <paramref name="root"/> (read from <paramref name="body"/>) with its <c>model</c> set to <paramref name="model"/>.</summary>
    public static byte[] WithModel(ReadOnlySpan<byte> body, JsonElement root, string model)
    {
        var value = Quoted(model);
        List<(int Start, int Length)> spans;
        bool hasOtherModel;
        try
        {
            spans = ModelValues(body, out hasOtherModel);
        }
        catch (JsonException)
        {
            // Text the reader refuses although the document parser took it (a byte order mark): write the object anew.
            (spans, hasOtherModel) = ([], true);
        }

        if (hasOtherModel)
        {
            return Rewritten(root, model);
        }

        if (spans.Count == 0)
        {
            // No model at all: splice the member in after '{' so the rest stays byte-identical.
            var open = body.IndexOf((byte)'{') + 1;
            var isEmptyObject = body[open..].TrimStart(" \t\r\n"u8)[0] == (byte)'}';
            var member = "\"model\":"u8.Length + value.Length + (isEmptyObject ? 0 : 1);
            var inserted = new byte[body.Length + member];
            body[..open].CopyTo(inserted);
            var at = open;
            "\"model\":"u8.CopyTo(inserted.AsSpan(at));
            at += "\"model\":"u8.Length;
            value.CopyTo(inserted.AsSpan(at));
            at += value.Length;
            if (!isEmptyObject)
            {
                inserted[at++] = (byte)',';
            }

            body[open..].CopyTo(inserted.AsSpan(at));
            return inserted;
        }

        // Splice the new string over each top-level "model" value (a duplicate key gets it too, whichever one the upstream reads).
        var result = new byte[body.Length + spans.Sum(s => value.Length - s.Length)];
        int from = 0, to = 0;
        foreach (var (start, length) in spans)
        {
            body[from..start].CopyTo(result.AsSpan(to));
            to += start - from;
            value.CopyTo(result.AsSpan(to));
            to += value.Length;
            from = start + length;
        }

        body[from..].CopyTo(result.AsSpan(to));
        return result;
    }

    /// <summary>Where each top-level <c>model</c> string value (quotes included) lies; <paramref name="hasOtherModel"/> when one is not a string.</summary>
    private static List<(int Start, int Length)> ModelValues(ReadOnlySpan<byte> body, out bool hasOtherModel)
    {
        hasOtherModel = false;
        var spans = new List<(int, int)>(1);
        var reader = new Utf8JsonReader(body);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isModel = reader.ValueTextEquals("model"u8);
            reader.Read();
            if (isModel)
            {
                if (reader.TokenType != JsonTokenType.String)
                {
                    hasOtherModel = true;
                    return spans;
                }

                // ValueSpan is the raw (still escaped) text between the quotes.
                spans.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2));
            }

            reader.Skip();
        }

        return spans;
    }

    private static byte[] Rewritten(JsonElement root, string model)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriter))
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, model);
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals("model"u8))
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static byte[] Quoted(string model)
    {
        var encoded = JsonEncodedText.Encode(model, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).EncodedUtf8Bytes;
        var quoted = new byte[encoded.Length + 2];
        quoted[0] = (byte)'"';
        encoded.CopyTo(quoted.AsSpan(1));
        quoted[^1] = (byte)'"';
        return quoted;
    }
}
