using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Metering;

/// <summary>
/// Turns a call's token usage into money at the prices in force when it arrived (CONTRACT §6), and says what a call
/// consumed once it has ended (<see cref="CallUsage"/>), from what the cache, dedupe and upstream steps report.
/// </summary>
internal sealed class UsageMeter(PriceCatalog prices)
{
    /// <summary>The cost of <paramref name="usage"/> on <paramref name="model"/> for a call that arrived at <paramref name="at"/>, or null when the model has no price.</summary>
    public decimal? Cost(string? model, DateTimeOffset at, TokenUsage usage) => prices.Cost(model, at, usage);

    /// <summary>What the ended call consumed: measured on first ask, then kept on the call (the quota and log steps both ask).</summary>
    public CallUsage Measure(HttpContext context)
    {
        if (context.Features.Get<CallUsage>() is { } measured)
        {
            return measured;
        }

        var usage = context.Features.Get<AiExchange>() is { } exchange ? Measure(context, exchange)
            : context.Features.Get<MeteredExchange>() is { } metered ? Measure(context, metered)
            : CallUsage.None;
        context.Features.Set(usage);
        return usage;
    }

    /// <summary>The usage in a completed answer's log: its body, or its usage chunk or terminal event.</summary>
    public static TokenUsage? Read(LiveResponse live)
    {
        if (live.Usage is { } known)
        {
            return known;
        }

        if (live.State != LiveState.Completed)
        {
            return null;
        }

        if (!live.IsEventStream)
        {
            return live.Endpoint.TryReadUsage(live.Body.Span, out var bodyUsage) ? bodyUsage : null;
        }

        var index = live.UsageEventIndex >= 0 ? live.UsageEventIndex : live.TerminalEventIndex;
        return index >= 0 && live.Endpoint.TryReadStreamUsage(live.Event(index).Span, out var usage) ? usage : null;
    }

    private CallUsage Measure(HttpContext context, AiExchange exchange)
    {
        var cache = context.Features.Get<CacheFeature>();
        var dedupe = context.Features.Get<DedupeFeature>();
        var live = dedupe?.Answer;
        var at = exchange.Call.ReceivedAt;
        var modelUsed = context.Features.Get<UpstreamOutcome>()?.FallbackModel ?? exchange.Model;
        var followed = dedupe?.Followed == true;
        if (followed && context.Response.Headers.TryGetValue(UpstreamHeaders.FallbackModel, out var fallback))
        {
            // The leader's model failed and its fallback model answered: that is the answer this call got.
            modelUsed = fallback.ToString();
        }

        if (cache?.Status == CacheStatus.Hit || followed)
        {
            // Nothing was spent: the tokens and cost belong to the call that produced the answer; this one saved it.
            // A follower of another instance's answer has its log but not its price: read the usage from the log.
            var saved = cache?.Status == CacheStatus.Hit
                ? cache.HitUsage is { } hitUsage ? Cost(modelUsed, at, hitUsage) : null
                : live is null ? null : live.CostUsd ?? (Read(live) is { } liveUsage ? Cost(modelUsed, at, liveUsage) : null);
            return new CallUsage(modelUsed, null, false, 0m, saved);
        }

        if (live is null || dedupe?.Resumed == true)
        {
            // A resumer read what another call paid for (and that call's row counts it): neither spent nor saved.
            return new CallUsage(modelUsed, null, false, null, null);
        }

        var usage = live.Usage;
        var estimated = false;
        if (usage is null && live.IsEventStream && live.EventCount > 0)
        {
            // A stream that ended without the upstream's count (aborted) is estimated with the model's tokenizer.
            usage = live.Endpoint.EstimateUsage(modelUsed, exchange.Json, Events(live));
            estimated = true;
        }

        return usage is { } known
            ? new CallUsage(modelUsed, known, estimated, live.CostUsd ?? Cost(modelUsed, at, known), null)
            : new CallUsage(modelUsed, null, false, null, null);
    }

    // A metered call is billed what its answer reports, at its model's price; a successful answer that reports nothing in
    // tokens is said to be so. A call refused before it went upstream, or answered with an error, consumed nothing known.
    private CallUsage Measure(HttpContext context, MeteredExchange call)
    {
        if (context.Features.Get<UsageTap>() is not { } tap)
        {
            return new CallUsage(call.Model, null, false, null, null);
        }

        if (tap.TryReadUsage(out var usage))
        {
            return new CallUsage(call.Model, usage, false, Cost(call.Model, call.Call.ReceivedAt, usage), null);
        }

        var answered = context.Response.StatusCode is >= 200 and < 300;
        return new CallUsage(call.Model, null, false, null, null, unreported: answered);
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Events(LiveResponse live)
    {
        for (var i = 0; i < live.EventCount; i++)
        {
            yield return live.Event(i);
        }
    }
}
