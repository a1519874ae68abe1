using AiGateway.Config;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Proxy-pipeline step for understood endpoints: decides the cache policy, answers a hit without calling upstream,
/// and otherwise arranges for the answer to be recorded (committed by the relays before their final flush).
/// </summary>
internal sealed class ResponseCacheMiddleware(CachePolicy policy, IResponseCacheStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time)
{
    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        if (exchange is null)
        {
            await next(context);
            return;
        }

        var (decision, error) = policy.Decide(exchange);
        if (decision is null)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_header", error!, CachePolicy.TtlHeader);
            return;
        }

        exchange.Cache = decision;
        // A resuming client wants the events after its Last-Event-ID, which the dedupe step serves (from the cache too).
        if (decision.Lookup && !context.Request.Headers.ContainsKey("Last-Event-ID"))
        {
            using var hit = await store.GetAsync(decision.Fingerprint, context.RequestAborted);
            if (hit is not null)
            {
                decision.Status = CacheStatus.Hit;
                exchange.HitUsage = hit.Usage;
                await CachedResponseWriter.WriteAsync(exchange, hit, time.GetUtcNow());
                return;
            }
        }

        if (decision.Store)
        {
            exchange.Capture = new ResponseCapture(store, decision.Fingerprint, new CacheTags(exchange.Identity.OrgId, exchange.Route),
                decision.Ttl, options.CurrentValue.Cache.MaxEntryBytes, time);
        }

        await next(context);
    }
}
