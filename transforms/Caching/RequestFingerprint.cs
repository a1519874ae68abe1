using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace AiGateway.Transforms.Caching;

/// <summary>The cache and dedupe key of an AI call (CONTRACT §6).</summary>
internal static class RequestFingerprint
{
    private static readonly JsonWriterOptions CanonicalWriter = new() { SkipValidation = true };
    private static readonly Comparison<JsonProperty> CompareNames = CompareByName;

    // Reused per thread (Compute never awaits), so a fingerprint allocates little beyond its result string.
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    /// <summary>
    /// Lower-case hex SHA-256 of the UTF-8 bytes
    /// <code>aigw-fp-1 LF scope LF endpoint-path LF canonical-json</code>
    /// where <c>scope</c> is <c>org:&lt;org id&gt;</c>, <c>customer:&lt;customer id&gt;@&lt;org id&gt;</c> for a call made for a
    /// customer (a customer id has no <c>@</c>), or <c>shared:&lt;route&gt;</c> for a route shared across orgs,
    /// and <c>canonical-json</c> is the body (after any mode rewrite) with object members sorted by ordinal name,
    /// no insignificant whitespace, strings in one escaping, numbers in <see cref="CanonicalNumber"/> form, and the
    /// top-level <c>stream_options</c> and <paramref name="ignoredFields"/> left out (<c>stream</c> stays in).
    /// Org ids and route names cannot contain LF (they come from keys and headers), so the parts cannot run together.
    /// </summary>
    public static string Compute(string scope, string endpointPath, JsonElement body, IReadOnlyList<string> ignoredFields) =>
        Compute((scope, ""), endpointPath, body, ignoredFields);

    /// <summary>The fingerprint of <see cref="Compute(string, string, JsonElement, IReadOnlyList{string})"/>, the scope given as its two parts (no string built per call).</summary>
    public static string Compute((string Kind, string Name) scope, string endpointPath, JsonElement body, IReadOnlyList<string> ignoredFields)
    {
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(4096);
        var writer = t_writer ??= new Utf8JsonWriter(buffer, CanonicalWriter);
        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        buffer.Write("aigw-fp-1\n"u8);
        WriteUtf8(buffer, scope.Kind);
        WriteUtf8(buffer, scope.Name);
        buffer.Write("\n"u8);
        WriteUtf8(buffer, endpointPath);
        buffer.Write("\n"u8);
        WriteCanonical(writer, body, ignoredFields);
        writer.Flush();

        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer.WrittenSpan, hash);
        if (buffer.Capacity > 1024 * 1024)
        {
            // Do not keep a huge body's buffer alive on this thread.
            t_buffer = null;
            t_writer = null;
        }

        return Convert.ToHexStringLower(hash);
    }

    /// <summary>The scope part of the fingerprint.</summary>
    public static string Scope(string orgId, string? route, bool sharedAcrossOrgs)
    {
        var (kind, name) = ScopeParts(orgId, route, sharedAcrossOrgs);
        return kind + name;
    }

    /// <summary>The scope part of the fingerprint as kind (<c>org:</c> or <c>shared:</c>) and name.</summary>
    public static (string Kind, string Name) ScopeParts(string orgId, string? route, bool sharedAcrossOrgs) =>
        ScopeParts(orgId, null, route, sharedAcrossOrgs);

    /// <summary>The scope part of the fingerprint as kind (<c>org:</c>, <c>customer:</c> or <c>shared:</c>) and name: a customer's calls are a scope of their own.</summary>
    public static (string Kind, string Name) ScopeParts(string orgId, string? customerId, string? route, bool sharedAcrossOrgs) =>
        sharedAcrossOrgs && route is not null ? ("shared:", route)
        : customerId is not null ? ("customer:", customerId + "@" + orgId)
        : ("org:", orgId);

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element, IReadOnlyList<string>? ignoredTopLevel)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var members = ArrayPool<JsonProperty>.Shared.Rent(element.GetPropertyCount());
                var kept = 0;
                foreach (var member in element.EnumerateObject())
                {
                    if (ignoredTopLevel is not null && (member.NameEquals("stream_options"u8) || Contains(ignoredTopLevel, member)))
                    {
                        continue;
                    }

                    members[kept++] = member;
                }

                // Ordinal order of the UTF-8 names (code point order); names with escapes are compared unescaped.
                // A Comparison cached once: Array.Sort with an IComparer wraps it in a new delegate per call.
                members.AsSpan(0, kept).Sort(CompareNames);
                writer.WriteStartObject();
                for (var i = 0; i < kept; i++)
                {
                    var name = JsonMarshal.GetRawUtf8PropertyName(members[i]);
                    if (name.IndexOf((byte)'\\') < 0)
                    {
                        writer.WritePropertyName(name);
                    }
                    else
                    {
                        writer.WritePropertyName(members[i].Name);
                    }

                    WriteCanonical(writer, members[i].Value, null);
                }

                writer.WriteEndObject();
                ArrayPool<JsonProperty>.Shared.Return(members, clearArray: true);
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
                var raw = JsonMarshal.GetRawUtf8Value(element);
                Span<byte> canonical = raw.Length <= 128 ? stackalloc byte[raw.Length + 24] : new byte[raw.Length + 24];
                writer.WriteRawValue(canonical[..CanonicalNumber.Write(raw, canonical)], skipInputValidation: true);
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }

    private static int CompareByName(JsonProperty a, JsonProperty b)
    {
        var left = JsonMarshal.GetRawUtf8PropertyName(a);
        var right = JsonMarshal.GetRawUtf8PropertyName(b);
        return left.IndexOf((byte)'\\') < 0 && right.IndexOf((byte)'\\') < 0
            ? left.SequenceCompareTo(right)
            : string.CompareOrdinal(a.Name, b.Name);
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
