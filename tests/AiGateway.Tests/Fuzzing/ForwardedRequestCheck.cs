using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// What a well-behaved gateway may send upstream: on a JSON endpoint a body that is strict UTF-8 (no overlong forms,
/// no encoded surrogates, no BOM), parses as one JSON object with no lone surrogate escape in any string or key, and
/// names a model of the allowed shape; on every path headers free of CR, LF and NUL, no <c>x-aigw-*</c> header, and in
/// VirtualKeys mode exactly the gateway's own credential.
/// </summary>
internal static partial class ForwardedRequestCheck
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Throws when <paramref name="received"/> is not something the gateway should have sent.</summary>
    /// <param name="received">The request the upstream received.</param>
    /// <param name="upstreamAuthorization">The exact Authorization the upstream must get (VirtualKeys mode); null when the client's own passes through.</param>
    /// <param name="understood">Whether the client's request was to an understood endpoint, whose body the gateway parsed and vouches for.</param>
    public static void IsSane(ReceivedRequest received, string? upstreamAuthorization, bool understood)
    {
        foreach (var (name, value) in received.Headers)
        {
            Assert.False(name.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase), $"A gateway header reached the upstream: {name}");
            Assert.False(value.AsSpan().IndexOfAny('\r', '\n', '\0') >= 0, $"Header {name} reached the upstream with CR, LF or NUL");
        }

        if (upstreamAuthorization is not null)
        {
            var authorization = received.Headers.Where(h => h.Key.Equals("Authorization", StringComparison.OrdinalIgnoreCase)).Select(h => h.Value).ToList();
            Assert.Equal([upstreamAuthorization], authorization);
        }

        // Judged by the client's request, not by the path WireMock reports: WireMock decodes %2F, so a passthrough call to
        // /v1/chat%2Fcompletions (forwarded as it came) would look like an understood one.
        if (understood)
        {
            // The gateway read the body as plain JSON; a Content-Encoding sent with it would tell the upstream otherwise.
            var encodings = received.Headers
                .Where(h => h.Key.Equals("Content-Encoding", StringComparison.OrdinalIgnoreCase))
                .SelectMany(h => h.Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                .Where(coding => !coding.Equals("identity", StringComparison.OrdinalIgnoreCase))
                .ToList();
            Assert.True(encodings.Count == 0, $"A parsed JSON body went upstream with Content-Encoding: {string.Join(", ", encodings)}");
            IsStrictJsonObject(received.Body);
        }
    }

    /// <summary>Throws unless <paramref name="body"/> is one JSON object in strict UTF-8 with well-formed strings and a well-shaped model.</summary>
    public static void IsStrictJsonObject(byte[] body)
    {
        Assert.False(body.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]), "The forwarded body starts with a byte order mark (RFC 8259 §8.1)");
        string text;
        try
        {
            text = StrictUtf8.GetString(body);
        }
        catch (DecoderFallbackException ex)
        {
            throw new Xunit.Sdk.XunitException($"The forwarded body is not valid UTF-8: {ex.Message}");
        }

        using var json = JsonDocument.Parse(text);
        Assert.Equal(JsonValueKind.Object, json.RootElement.ValueKind);
        WellFormedStrings(json.RootElement);
        if (json.RootElement.TryGetProperty("model", out var model))
        {
            Assert.True(model.ValueKind == JsonValueKind.String && ModelShape().IsMatch(model.GetString()!), $"The forwarded model is not a valid name: {Cut(model.GetRawText())}");
        }
    }

    private static void WellFormedStrings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    NoLoneSurrogate(property.Name);
                    WellFormedStrings(property.Value);
                }

                break;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    WellFormedStrings(item);
                }

                break;
            case JsonValueKind.String:
                NoLoneSurrogate(element.GetString()!);
                break;
        }
    }

    private static void NoLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new Xunit.Sdk.XunitException($"The forwarded body holds a lone surrogate U+{(int)text[i]:X4}: {Cut(text)}");
            }
        }
    }

    private static string Cut(string text) => text.Length > 200 ? text[..200] + "…" : text;

    [GeneratedRegex("^[A-Za-z0-9._:/@+-]{1,256}$")]
    private static partial Regex ModelShape();
}
