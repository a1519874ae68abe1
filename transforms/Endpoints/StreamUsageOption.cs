using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// Asks the upstream for a chat-style stream's usage (CONTRACT §2): <c>stream_options.include_usage: true</c> is added to
/// the body, so that every stream is metered from the upstream's own count. The relay later drops the usage chunk for a
/// client that did not ask for it.
/// </summary>
internal static class StreamUsageOption
{
    private static readonly byte[] StreamOptionsMember = "\"stream_options\":{\"include_usage\":true}"u8.ToArray();
    private static readonly JsonWriterOptions RelaxedWriter = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The body with <c>stream_options.include_usage</c> set to true and every other byte kept where possible.</summary>
    internal static byte[] WithIncludeUsage(ReadOnlySpan<byte> body, JsonElement root)
    {
        if (!root.TryGetProperty("stream_options"u8, out _))
        {
            // The common case: splice the member in after '{' so the rest of the body stays byte-identical.
            var open = body.IndexOf((byte)'{');
            var restStart = open + 1;
            var isEmptyObject = body[restStart..].TrimStart(" \t\r\n"u8)[0] == (byte)'}';
            var result = new byte[body.Length + StreamOptionsMember.Length + (isEmptyObject ? 0 : 1)];
            body[..restStart].CopyTo(result);
            StreamOptionsMember.CopyTo(result.AsSpan(restStart));
            var written = restStart + StreamOptionsMember.Length;
            if (!isEmptyObject)
            {
                result[written++] = (byte)',';
            }

            body[restStart..].CopyTo(result.AsSpan(written));
            return result;
        }

        // stream_options exists without include_usage: rewrite the object, keeping every other member.
        var buffer = new MemoryStream(body.Length + 32);
        using (var writer = new Utf8JsonWriter(buffer, RelaxedWriter))
        {
            writer.WriteStartObject();
            foreach (var property in root.EnumerateObject())
            {
                if (!property.NameEquals("stream_options"u8) || property.Value.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    property.WriteTo(writer);
                    continue;
                }

                writer.WriteStartObject(property.Name);
                if (property.Value.ValueKind == JsonValueKind.Object)
                {
                    foreach (var option in property.Value.EnumerateObject())
                    {
                        if (!option.NameEquals("include_usage"u8))
                        {
                            option.WriteTo(writer);
                        }
                    }
                }

                writer.WriteBoolean("include_usage"u8, true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
