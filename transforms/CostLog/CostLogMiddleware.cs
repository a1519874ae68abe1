using System.Diagnostics;
using System.Threading.RateLimiting;
using AiGateway.Config;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Modes;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Proxy-pipeline step around every understood or metered call, right after it is stamped: when the call ends —
/// answered, refused, failed or abandoned — it fills in the call's performance-log row from what each later step reports
/// (identity, exchange, mode, cache, dedupe, upstream, metering), tells the <see cref="ICallLogSink"/>s, and hands the
/// row to the log writer before the pipeline unwinds: with the journal on, the answer's end (its last chunk) leaves only
/// once the row is in the journal (nothing is logged per request). A refusal made before the caller is known (401) is
/// written only within a bounded rate, so that nobody without a key can fill the database (CONTRACT §10.9).
/// </summary>
internal sealed class CostLogMiddleware(IPerfLogWriter writer, UsageMeter meter, IEnumerable<ICallLogSink> sinks, IOptions<GatewayOptions> options) : IDisposable
{
    /// <summary>The org of a call refused before its key was known.</summary>
    public const string UnauthenticatedOrg = "unauthenticated";

    private static readonly Func<object, Task> DropContentLength = static response =>
    {
        ((HttpResponse)response).ContentLength = null;
        return Task.CompletedTask;
    };

    private readonly ICallLogSink[] _sinks = sinks.ToArray();
    private readonly bool _journal = options.Value.Log.Journal;

    // Enough rows to see an attack or a misconfigured client, too few to fill a disk (Gateway:Log:UnauthenticatedRowsPerMinute).
    private readonly TokenBucketRateLimiter _unauthenticatedRows = new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = Math.Max(1, options.Value.Log.UnauthenticatedRowsPerMinute / 6),
        TokensPerPeriod = 1,
        ReplenishmentPeriod = TimeSpan.FromMinutes(1) / options.Value.Log.UnauthenticatedRowsPerMinute,
        QueueLimit = 0,
        AutoReplenishment = true,
    });

    /// <summary>Rows of unauthenticated refusals left out by the rate bound.</summary>
    internal long SkippedUnauthenticatedRows => Interlocked.Read(ref _skippedUnauthenticated);

    private long _skippedUnauthenticated;

    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var call = context.Features.Get<AiCall>();
        if (call is null)
        {
            await next(context);
            return;
        }

        if (_journal)
        {
            // A Content-Length answer is over for its client with its last body byte, before the row exists; chunked, it
            // ends when the pipeline does.
            context.Response.OnStarting(DropContentLength, context.Response);
        }

        using var activity = CallSpans.Start(call);
        try
        {
            await next(context);
        }
        finally
        {
            var row = Complete(context, call);
            foreach (var sink in _sinks)
            {
                sink.OnCallEnded(context, row);
            }

            if (activity is not null)
            {
                CallSpans.Describe(activity, context, call, row);
            }

            if (row.OrgId != UnauthenticatedOrg || AdmitUnauthenticated())
            {
                // Before the pipeline unwinds, so the answer's end (its last chunk) leaves after the row is journaled.
                writer.TryWrite(row);
            }
        }
    }

    /// <summary>Whether the row describes a stream resumed with <c>Last-Event-ID</c>.</summary>
    internal static bool IsResumedStream(HttpContext context, PerfLogRecord row) => row.Stream && row.DedupeRole == DedupeRoles.Resumer;

    private PerfLogRecord Complete(HttpContext context, AiCall call)
    {
        var exchange = context.Features.Get<AiExchange>();
        // A metered call (images, audio, a batch) has no exchange of its own: the route and model it named.
        var metered = exchange is null ? context.Features.Get<MeteredExchange>() : null;
        var cache = context.Features.Get<CacheFeature>();
        var dedupe = context.Features.Get<DedupeFeature>();
        var usage = meter.Measure(context);
        var record = new PerfLogRecord
        {
            Id = call.RequestId,
            Ts = call.ReceivedAt,
            OrgId = context.Features.Get<OrgIdentity>()?.OrgId ?? UnauthenticatedOrg,
            CustomerId = context.Features.Get<CallSettings>()?.CustomerId,
            KeyId = context.Features.Get<OrgIdentity>()?.KeyId,
            Route = exchange?.Route ?? metered?.Route,
            Endpoint = call.Endpoint.Path,
            ModelRequested = exchange?.ModelRequested ?? metered?.Model,
            ModelUsed = usage.ModelUsed,
            Mode = context.Features.Get<ModeChoice>()?.Label,
            Stream = exchange?.IsStream ?? false,
            StatusCode = context.Response.StatusCode,
            CacheStatus = cache is null ? "bypass" : CacheDecision.HeaderValue(cache.Status),
            DedupeRole = dedupe?.Role,
            // A metered call goes upstream once, through YARP alone, once its usage tap is on.
            Attempts = context.Features.Get<UpstreamOutcome>()?.Attempts ?? (metered is not null && context.Features.Get<UsageTap>() is not null ? 1 : 0),
            RequestHash = cache?.Fingerprint ?? "",
            DurationMs = Milliseconds(Stopwatch.GetElapsedTime(call.StartedAt)),
            UpstreamMs = dedupe?.UpstreamDuration is { } upstream ? Milliseconds(upstream) : null,
            UsageEstimated = usage.UsageEstimated,
            UsageUnreported = usage.UsageUnreported,
            CostUsd = usage.CostUsd,
            SavedUsd = usage.SavedUsd,
            ClientAttempt = dedupe?.ClientAttempt,
            ClientFallback = dedupe?.ClientFallback ?? false,
        };
        record.TtftMs = record.Stream && call.FirstByteAt != 0 ? Milliseconds(Stopwatch.GetElapsedTime(call.StartedAt, call.FirstByteAt)) : null;
        if (usage.Usage is { } billed)
        {
            record.Usage = billed;
        }

        record.Error = Error(record.StatusCode, dedupe);
        return record;
    }

    /// <summary>
    /// What went wrong for this call's client, first what says most: its app released it (<c>released</c>, a stop), an
    /// operator cancelled the call (<c>cancelled</c>), the client left before the end without releasing (<c>client_gone</c>,
    /// a drop), the answer failed (<c>failed</c>), or an error status (<c>http_NNN</c>, also when it reached a stream that
    /// a keepalive had started as an error event).
    /// </summary>
    internal static string? Error(int statusCode, DedupeFeature? dedupe)
    {
        var live = dedupe?.Answer;
        var reader = dedupe?.Reader;
        if (reader?.Released == true)
        {
            return "released";
        }

        if (live?.CancelledByOperator == true)
        {
            return "cancelled";
        }

        if (reader?.ClientLeft == true)
        {
            return "client_gone";
        }

        if (live?.State == LiveState.Failed)
        {
            // Cancelled for want of readers: every client of it had left.
            return live.FailedByCancellation ? "client_gone" : "failed";
        }

        if (live is { StatusCode: >= 400 } && statusCode < 400)
        {
            return "http_" + live.StatusCode;
        }

        return statusCode >= 400 ? "http_" + statusCode : null;
    }

    private bool AdmitUnauthenticated()
    {
        using var lease = _unauthenticatedRows.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return true;
        }

        Interlocked.Increment(ref _skippedUnauthenticated);
        return false;
    }

    /// <inheritdoc/>
    public void Dispose() => _unauthenticatedRows.Dispose();

    private static int Milliseconds(TimeSpan elapsed) => (int)Math.Min(int.MaxValue, Math.Round(elapsed.TotalMilliseconds));
}
