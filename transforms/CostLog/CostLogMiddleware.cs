using System.Diagnostics;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Telemetry;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Proxy-pipeline step around every understood call: gives it its performance-log row and <c>x-aigw-request-id</c>,
/// and when the call ends — answered, failed or abandoned — fills the row in and hands it to the log writer
/// (one bounded-channel write; nothing is logged per request).
/// </summary>
internal sealed class CostLogMiddleware(IPerfLogWriter writer, TimeProvider time, GatewayTelemetry telemetry, BudgetMeter budgets)
{
    /// <summary>The response header naming the call's row in the performance log.</summary>
    public const string RequestIdHeader = "x-aigw-request-id";

    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var exchange = context.Features.Get<AiExchange>();
        if (exchange is null)
        {
            await next(context);
            return;
        }

        var record = new PerfLogRecord
        {
            Ts = time.GetUtcNow(),
            OrgId = exchange.Identity.OrgId,
            Route = exchange.Route,
            Endpoint = exchange.Endpoint.Path,
            ModelRequested = exchange.ModelRequested,
            Stream = exchange.IsStream,
        };
        exchange.Log = record;
        context.Response.Headers[RequestIdHeader] = record.Id.ToString();
        using var activity = GatewayTelemetry.StartExchange(exchange);
        try
        {
            await next(context);
        }
        finally
        {
            Complete(exchange, record);
            budgets.Count(record);
            telemetry.Record(exchange, record, activity);
            writer.TryWrite(record);
        }
    }

    private static void Complete(AiExchange exchange, PerfLogRecord record)
    {
        var context = exchange.HttpContext;
        var modelUsed = exchange.Model;
        if (exchange.DedupeRole == "follower" && context.Response.Headers.TryGetValue(UpstreamFallback.Header, out var fallback))
        {
            // The leader's model failed and its fallback model answered: that is the answer this call got.
            modelUsed = fallback.ToString();
        }

        record.ModelUsed = modelUsed;
        record.StatusCode = context.Response.StatusCode;
        record.CacheStatus = exchange.Cache is { } cache ? CacheDecision.HeaderValue(cache.Status) : "bypass";
        record.DedupeRole = exchange.DedupeRole;
        record.Attempts = exchange.Attempts;
        record.RequestHash = exchange.Cache?.Fingerprint ?? "";
        record.DurationMs = Milliseconds(Stopwatch.GetElapsedTime(exchange.StartedAt));
        record.TtftMs = exchange.IsStream && exchange.FirstByteAt != 0 ? Milliseconds(Stopwatch.GetElapsedTime(exchange.StartedAt, exchange.FirstByteAt)) : null;
        record.UpstreamMs = exchange.UpstreamDuration is { } upstream ? Milliseconds(upstream) : null;

        var live = exchange.Live;
        if (exchange.Cache?.Status == CacheStatus.Hit || exchange.DedupeRole == "follower")
        {
            // Nothing was spent: the tokens and cost belong to the call that produced the answer; this one saved it.
            // A follower of another instance's answer has its log but not its price: read the usage from the log.
            var followed = live is null ? null : live.CostUsd ?? (UsageMeter.Read(live) is { } liveUsage ? UsageMeter.Cost(exchange, modelUsed, liveUsage) : null);
            var saved = exchange.Cache?.Status == CacheStatus.Hit ? exchange.HitUsage is { } usage ? UsageMeter.Cost(exchange, usage) : null : followed;
            record.CostUsd = 0m;
            record.SavedUsd = saved;
        }
        else if (live is not null)
        {
            var usage = live.Usage;
            if (usage is null && live.IsEventStream && live.EventCount > 0)
            {
                usage = Estimate(exchange, live);
                record.UsageEstimated = true;
            }

            if (usage is { } known)
            {
                record.Usage = known;
                record.CostUsd = live.CostUsd ?? UsageMeter.Cost(exchange, known);
            }
        }

        record.Error = live?.State == LiveState.Failed
            ? live.FailedByCancellation ? "cancelled" : "failed"
            : record.StatusCode >= 400 ? "http_" + record.StatusCode : null;
    }

    /// <summary>A stream that ended without the upstream's count (aborted) is estimated with the model's tokenizer.</summary>
    private static TokenUsage Estimate(AiExchange exchange, LiveResponse live)
    {
        var completion = new StreamCompletionText();
        for (var i = 0; i < live.EventCount; i++)
        {
            completion.Append(live.Event(i).Span);
        }

        return TokenEstimator.Estimate(exchange.Model, exchange.Json, completion);
    }

    private static int Milliseconds(TimeSpan elapsed) => (int)Math.Min(int.MaxValue, Math.Round(elapsed.TotalMilliseconds));
}
