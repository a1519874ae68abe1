using System.Buffers;
using System.Globalization;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Decides lookup, store and TTL for a call (CONTRACT §4, §6): <c>Cache-Control: no-store</c> bypasses,
/// <c>no-cache</c> refreshes; a route with <c>Cache: false</c> bypasses; TTL from <c>x-aigw-cache-ttl</c>, then the
/// route, then the org, then <c>Gateway:Cache:DefaultTtlSeconds</c>.
/// </summary>
internal sealed class CachePolicy(IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>The request header carrying a TTL in seconds.</summary>
    public const string TtlHeader = "x-aigw-cache-ttl";

    /// <summary>
    /// The key the same call has when it asks for a stream (<c>"stream": true</c>): the stream client's non-streamed
    /// fallback finds the generation its stream began by its fingerprint, which keeps that generation to the org, the
    /// customer and the request that started it, as a resume's fingerprint does.
    /// </summary>
    public CacheKey StreamKey(AiExchange exchange, CallSettings settings)
    {
        var gateway = options.CurrentValue;
        var shared = exchange.Route is not null && gateway.Routes.TryGetValue(exchange.Route, out var policy) && policy.SharedAcrossOrgs;
        // Copied member by member, not through JsonObject: a client's body may name a key twice, which JSON allows and
        // JsonObject refuses with an exception (a 500). The fingerprint sorts members, so where "stream" goes is moot.
        var buffer = new ArrayBufferWriter<byte>(exchange.Body.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var member in exchange.Json.EnumerateObject())
            {
                if (!member.NameEquals("stream"u8))
                {
                    member.WriteTo(writer);
                }
            }

            writer.WriteBoolean("stream"u8, true);
            writer.WriteEndObject();
        }

        using var streamed = JsonDocument.Parse(buffer.WrittenMemory);
        return KeyOf(exchange, settings, shared, streamed.RootElement, gateway);
    }

    /// <summary>The decision, or an error message for a malformed <c>x-aigw-cache-ttl</c>.</summary>
    public (CacheDecision? Decision, string? Error) Decide(AiExchange exchange, CallSettings settings)
    {
        var gateway = options.CurrentValue;
        var route = exchange.Route is not null && gateway.Routes.TryGetValue(exchange.Route, out var policy) ? policy : null;
        var key = KeyOf(exchange, settings, route?.SharedAcrossOrgs == true, exchange.Json, gateway);

        var headers = exchange.HttpContext.Request.Headers;
        int? requestedTtl = null;
        if (headers.TryGetValue(TtlHeader, out var ttlText))
        {
            if (!int.TryParse(ttlText.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) || seconds > 31536000)
            {
                return (null, $"The {TtlHeader} header must be a whole number of seconds from 0 to 31536000.");
            }

            requestedTtl = seconds;
        }

        var status = CacheStatus.Miss;
        if (route?.Cache == false || !settings.CacheEnabled)
        {
            status = CacheStatus.Bypass;
        }
        else if (headers.TryGetValue(HeaderNames.CacheControl, out var cacheControl)
            && CacheControlHeaderValue.TryParse(cacheControl.ToString(), out var parsed))
        {
            status = parsed!.NoStore ? CacheStatus.Bypass : parsed.NoCache ? CacheStatus.Refresh : CacheStatus.Miss;
        }

        var ttlSeconds = requestedTtl ?? route?.TtlSeconds ?? settings.CacheTtlSeconds ?? gateway.Cache.DefaultTtlSeconds;
        var store = status != CacheStatus.Bypass && ttlSeconds > 0;
        return (new CacheDecision(status, key, store, TimeSpan.FromSeconds(ttlSeconds)), null);
    }

    private static CacheKey KeyOf(AiExchange exchange, CallSettings settings, bool shared, JsonElement body, GatewayOptions gateway)
    {
        var scope = RequestFingerprint.ScopeParts(exchange.Identity.OrgId, settings.CustomerId, exchange.Route, shared);
        var fingerprint = RequestFingerprint.Compute(scope, exchange.Endpoint.Path, body, gateway.Cache.EffectiveIgnoreFields);
        return new CacheKey(fingerprint, shared && exchange.Route is { } route ? CacheKey.SharedScope(route) : exchange.Identity.OrgId);
    }
}
