namespace AiGateway.Metrics;

/// <summary>
/// The calls of one time bucket: cache and cost totals, and the stream health figures (stream rows only): cache replays,
/// followers joined live, drops, resumes, fallbacks and stops as the rows record them (see <see cref="StreamRowKind"/>).
/// </summary>
internal sealed record TimeSeriesPoint
{
    /// <summary>The bucket's first moment (UTC).</summary>
    public DateTimeOffset Ts { get; init; }

    /// <summary>Calls.</summary>
    public long Requests { get; init; }

    /// <summary>Calls answered from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary><see cref="CacheHits"/> / <see cref="Requests"/>.</summary>
    public double CacheHitRate => Requests == 0 ? 0 : (double)CacheHits / Requests;

    /// <summary>Calls that joined an identical call in flight.</summary>
    public long DedupeFollowers { get; init; }

    /// <summary>What the calls cost.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>What hits and followers avoided paying.</summary>
    public decimal SavedUsd { get; init; }

    /// <summary>Input tokens.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>Streamed calls.</summary>
    public long Streams { get; init; }

    /// <summary>Streams served from a live upstream call (led or joined), neither replayed from the cache nor resumed.</summary>
    public long LiveStreams { get; init; }

    /// <summary>Streams replayed from the cache.</summary>
    public long StreamCacheReplays { get; init; }

    /// <summary>Streams that joined an identical stream in flight.</summary>
    public long StreamFollowers { get; init; }

    /// <summary>Streams that failed, or whose client left before their end without releasing them.</summary>
    public long StreamDrops { get; init; }

    /// <summary>Streams resumed with <c>Last-Event-ID</c> (<c>dedupe_role</c> <c>resumer</c>).</summary>
    public long StreamResumes { get; init; }

    /// <summary>Of <see cref="StreamResumes"/>, those the client made at its second reconnect or later (<c>client_attempt</c> 2 or more).</summary>
    public long StreamRetriedResumes { get; init; }

    /// <summary>The stream client's non-streamed fallbacks (<c>client_fallback</c>).</summary>
    public long StreamFallbacks { get; init; }

    /// <summary>Calls stopped before their end: released by their app, or cancelled by an operator.</summary>
    public long StreamStops { get; init; }

    /// <summary>Output tokens of streams.</summary>
    public long StreamCompletionTokens { get; init; }

    /// <summary>Median call duration.</summary>
    public double? DurationP50Ms { get; init; }

    /// <summary>95th percentile of call duration.</summary>
    public double? DurationP95Ms { get; init; }

    /// <summary>Median time to first token of streams.</summary>
    public double? TtftP50Ms { get; init; }

    /// <summary>95th percentile of time to first token of streams.</summary>
    public double? TtftP95Ms { get; init; }
}
