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
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        if (exchange is null)
        {
            return next(context);
        }

        var (decision, error) = policy.Decide(exchange);
        if (decision is null)
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_header", error!, CachePolicy.TtlHeader);
        }

        exchange.Cache = decision;
        // A resuming client wants the events after its Last-Event-ID, which the dedupe step serves (from the cache too).
        if (decision.Lookup && !context.Request.Headers.ContainsKey("Last-Event-ID"))
        {
            // The in-process store answers at once: a miss then hands on the next step's task without a state machine.
            var lookup = store.GetAsync(decision.Fingerprint, context.RequestAborted);
            if (!lookup.IsCompletedSuccessfully)
            {
                return LookUpAsync(context, next, exchange, decision, lookup);
            }

            if (lookup.Result is { } hit)
            {
                return AnswerAsync(exchange, decision, hit);
            }
        }

        PrepareCapture(exchange, decision);
        return next(context);
    }

    private async Task LookUpAsync(HttpContext context, RequestDelegate next, AiExchange exchange, CacheDecision decision, ValueTask<CachedResponse?> lookup)
    {
        if (await lookup is { } hit)
        {
            await AnswerAsync(exchange, decision, hit);
            return;
        }

        PrepareCapture(exchange, decision);
        await next(context);
    }

    private async Task AnswerAsync(AiExchange exchange, CacheDecision decision, CachedResponse hit)
    {
        using (hit)
        {
            decision.Status = CacheStatus.Hit;
            exchange.HitUsage = hit.Usage;
            await CachedResponseWriter.WriteAsync(exchange, hit, time.GetUtcNow());
        }
    }

    private void PrepareCapture(AiExchange exchange, CacheDecision decision)
    {
        if (decision.Store)
        {
            exchange.Capture = new ResponseCapture(store, decision.Fingerprint, new CacheTags(exchange.Identity.OrgId, exchange.Route),
                decision.Ttl, options.CurrentValue.Cache.MaxEntryBytes, time);
        }
    }
}
