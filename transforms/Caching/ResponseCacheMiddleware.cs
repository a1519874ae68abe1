using AiGateway.Config;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Proxy-pipeline step for understood endpoints: decides the cache policy (<see cref="CacheFeature"/>), answers a hit
/// without calling upstream, and otherwise registers its <see cref="ResponseCapture"/> with the answer's sinks, which
/// stores the answer before the relays' final flush.
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

        var (decision, error) = policy.Decide(exchange, context.Features.Get<CallSettings>() ?? CallSettings.Defaults);
        if (decision is null)
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_header", error!, CachePolicy.TtlHeader);
        }

        var cache = new CacheFeature(decision);
        context.Features.Set(cache);
        // A resuming client wants the events after its Last-Event-ID, which the dedupe step serves (from the cache too).
        if (decision.Lookup && !context.Request.Headers.ContainsKey("Last-Event-ID"))
        {
            // The in-process store answers at once: a miss then hands on the next step's task without a state machine.
            var lookup = store.GetAsync(decision.Key, context.RequestAborted);
            if (!lookup.IsCompletedSuccessfully)
            {
                return LookUpAsync(context, next, exchange, cache, lookup);
            }

            if (lookup.Result is { } hit)
            {
                return AnswerAsync(exchange, cache, hit);
            }
        }

        Capture(exchange, cache);
        return next(context);
    }

    private async Task LookUpAsync(HttpContext context, RequestDelegate next, AiExchange exchange, CacheFeature cache, ValueTask<CachedResponse?> lookup)
    {
        if (await lookup is { } hit)
        {
            await AnswerAsync(exchange, cache, hit);
            return;
        }

        Capture(exchange, cache);
        await next(context);
    }

    private async Task AnswerAsync(AiExchange exchange, CacheFeature cache, CachedResponse hit)
    {
        using (hit)
        {
            cache.Status = CacheStatus.Hit;
            cache.HitUsage = hit.Usage;
            await CachedResponseWriter.WriteAsync(exchange, hit, time.GetUtcNow());
        }
    }

    private void Capture(AiExchange exchange, CacheFeature cache) =>
        AnswerSinks.For(exchange.HttpContext).Add(new ResponseCapture(cache, store, new CacheTags(exchange.Identity.OrgId, exchange.Route),
            options.CurrentValue.Cache.MaxEntryBytes, time));
}
