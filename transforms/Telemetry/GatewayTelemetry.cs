using System.Diagnostics;
using System.Diagnostics.Metrics;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Endpoints;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Telemetry;

/// <summary>
/// The gateway's OpenTelemetry instruments, from the host's <see cref="IMeterFactory"/>: the GenAI semantic-convention
/// histograms and the gateway's own counters, recorded once per call from its completed performance-log row (an
/// <see cref="ICallLogSink"/>); the spans are the cost log's (<see cref="CallSpans"/>). Model labels are bounded (<see cref="ModelLabel"/>).
/// </summary>
internal sealed class GatewayTelemetry : ICallLogSink
{
    /// <summary>The name of the gateway's meter and of its activity source (the call spans).</summary>
    public const string Name = CallSpans.SourceName;

    // Bucket boundaries advised by the GenAI semantic conventions, so every backend shows the same histograms.
    private static readonly IReadOnlyList<long> TokenBuckets =
        [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];

    private static readonly IReadOnlyList<double> DurationBuckets =
        [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];

    private static readonly IReadOnlyList<double> FirstTokenBuckets =
        [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0];

    private readonly Histogram<long> _tokenUsage;
    private readonly Histogram<double> _requestDuration;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _cacheMisses;
    private readonly Counter<long> _dedupeFollowers;
    private readonly Counter<long> _streamResumes;
    private readonly Counter<long> _streamDrops;
    private readonly Counter<long> _unauthenticated;

    private readonly ModelLabel _modelLabel;

    /// <summary>
    /// Creates the instruments on a meter of <paramref name="meters"/>; the model labels come from <paramref name="modelLabel"/>;
    /// the log writer's gauges read <paramref name="logWriter"/> when collected.
    /// </summary>
    public GatewayTelemetry(IMeterFactory meters, ModelLabel modelLabel, PerfLogWriter? logWriter = null)
    {
        _modelLabel = modelLabel;
        var meter = meters.Create(Name);
        _tokenUsage = meter.CreateHistogram("gen_ai.client.token.usage", "{token}",
            "Tokens used by calls that reached the upstream, by gen_ai.token.type (input, output).",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = TokenBuckets });
        _requestDuration = meter.CreateHistogram("gen_ai.server.request.duration", "s",
            "Time from the gateway receiving a call on an understood endpoint to the end of its response.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _timeToFirstToken = meter.CreateHistogram("gen_ai.server.time_to_first_token", "s",
            "Time from the gateway receiving a streamed call to its client getting the first event.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = FirstTokenBuckets });
        _cacheHits = meter.CreateCounter<long>("aigw.cache.hits", "{request}", "Calls answered from the response cache.");
        _cacheMisses = meter.CreateCounter<long>("aigw.cache.misses", "{request}", "Calls that looked in the response cache and called upstream.");
        _dedupeFollowers = meter.CreateCounter<long>("aigw.dedupe.followers", "{request}", "Calls that joined an identical call in flight instead of calling upstream.");
        _streamResumes = meter.CreateCounter<long>("aigw.stream.resumes", "{request}", "Streams resumed with Last-Event-ID.");
        _streamDrops = meter.CreateCounter<long>("aigw.stream.drops", "{request}", "Streams that failed after they started, or whose client left before their end without releasing them.");
        _unauthenticated = meter.CreateCounter<long>("aigw.unauthenticated", "{request}",
            "Calls refused 401 before their key was known (their log rows are written only within a bounded rate).");
        if (logWriter is not null)
        {
            meter.CreateObservableGauge("aigw.log.queue_depth", () => (long)logWriter.QueueDepth, "{row}",
                "Performance-log rows waiting in the writer's queue.");
            meter.CreateObservableCounter("aigw.log.spilled_rows", () => logWriter.SpilledRows, "{row}",
                "Performance-log rows written to spill files because the store was unavailable or the queue full.");
            meter.CreateObservableCounter("aigw.log.written_rows", () => logWriter.WrittenRows, "{row}",
                "Performance-log rows written to the store, replays included.");
            meter.CreateObservableCounter("aigw.log.lost_rows", () => logWriter.LostRows, "{row}",
                "Performance-log rows that could be neither stored nor spilled.");
        }
    }

    /// <inheritdoc/>
    public void OnCallEnded(HttpContext context, PerfLogRecord record)
    {
        var operation = context.Features.Get<AiCall>()!.Endpoint.OperationName;
        var models = new TagList { { "gen_ai.operation.name", operation } };
        if (record.ModelRequested is { } requested)
        {
            models.Add("gen_ai.request.model", _modelLabel.Of(requested));
        }

        if (record.ModelUsed is { } used)
        {
            models.Add("gen_ai.response.model", _modelLabel.Of(used));
        }

        if (record.PromptTokens > 0 || record.CompletionTokens > 0)
        {
            var input = models;
            input.Add("gen_ai.token.type", "input");
            _tokenUsage.Record(record.PromptTokens, input);
            var output = models;
            output.Add("gen_ai.token.type", "output");
            _tokenUsage.Record(record.CompletionTokens, output);
        }

        var duration = models;
        duration.Add("aigw.cache.status", record.CacheStatus);
        if (record.Error is { } error)
        {
            duration.Add("error.type", error);
        }

        _requestDuration.Record(record.DurationMs / 1000.0, duration);
        if (record.TtftMs is { } ttft)
        {
            _timeToFirstToken.Record(ttft / 1000.0, models);
        }

        var operationOnly = new TagList { { "gen_ai.operation.name", operation } };
        if (record.CacheStatus == "hit")
        {
            _cacheHits.Add(1, operationOnly);
        }
        else if (record.CacheStatus == "miss")
        {
            _cacheMisses.Add(1, operationOnly);
        }

        if (record.DedupeRole == "follower")
        {
            _dedupeFollowers.Add(1, operationOnly);
        }

        if (CostLogMiddleware.IsResumedStream(context, record))
        {
            _streamResumes.Add(1, operationOnly);
        }

        if (record.Stream && record.Error is "failed" or "client_gone")
        {
            _streamDrops.Add(1, operationOnly);
        }

        if (record.OrgId == CostLogMiddleware.UnauthenticatedOrg)
        {
            _unauthenticated.Add(1, operationOnly);
        }
    }
}
