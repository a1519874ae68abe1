using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace AiGateway.Transforms.Caching;

/// <summary>The cache and dedupe key of an AI call (CONTRACT §6).</summary>
internal static class RequestFingerprint
{
    private static readonly JsonWriterOptions CanonicalWriter = new() { SkipValidation = true };

    /// <summary>
    /// Lower-case hex SHA-256 of the UTF-8 bytes
    /// <code>aigw-fp-1 LF scope LF endpoint-path LF canonical-json</code>
    /// where <c>scope</c> is <c>org:&lt;org id&gt;</c>, or <c>shared:&lt;route&gt;</c> for a route shared across orgs,
    /// and <c>canonical-json</c> is the body (after any mode rewrite) with object members sorted by ordinal name,
    /// no insignificant whitespace, strings in one escaping, numbers in <see cref="CanonicalNumber"/> form, and the
    /// top-level <c>stream_options</c> and <paramref name="ignoredFields"/> left out (<c>stream</c> stays in).
    /// Org ids and route names cannot contain LF (they come from keys and headers), so the parts cannot run together.
    /// </summary>
    public static string Compute(string scope, string endpointPath, JsonElement body, IReadOnlyList<string> ignoredFields)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        buffer.Write("aigw-fp-1\n"u8);
        WriteUtf8(buffer, scope);
        buffer.Write("\n"u8);
        WriteUtf8(buffer, endpointPath);
        buffer.Write("\n"u8);
        using (var writer = new Utf8JsonWriter(buffer, CanonicalWriter))
        {
            WriteCanonical(writer, body, ignoredFields);
        }

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The scope part of the fingerprint.</summary>
    public static string Scope(string orgId, string? route, bool sharedAcrossOrgs) =>
        sharedAcrossOrgs && route is not null ? "shared:" + route : "org:" + orgId;

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element, IReadOnlyList<string>? ignoredTopLevel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = new List<JsonProperty>();
                foreach (var member in element.EnumerateObject())
                {
                    if (ignoredTopLevel is not null && (member.NameEquals("stream_options"u8) || Contains(ignoredTopLevel, member)))
                    {
                        continue;
                    }

                    members.Add(member);
                }

                members.Sort(static (a, b) => string.CompareOrdinal(a.Name, b.Name));
                writer.WriteStartObject();
                foreach (var member in members)
                {
                    writer.WritePropertyName(member.Name);
                    WriteCanonical(writer, member.Value, null);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item, null);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Number:
                var canonical = new ArrayBufferWriter<byte>(32);
                CanonicalNumber.Write(System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element), canonical);
                writer.WriteRawValue(canonical.WrittenSpan, skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static bool Contains(IReadOnlyList<string> names, JsonProperty member)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (member.NameEquals(names[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static void WriteUtf8(ArrayBufferWriter<byte> buffer, string text)
    {
        var span = buffer.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        buffer.Advance(Encoding.UTF8.GetBytes(text, span));
    }
}
