namespace AiGateway.Metrics;

/// <summary>
/// The body of <c>GET /api/metrics/ai-performance</c> (CONTRACT §8): totals, <c>cache_hit_rate</c> = cache_hits / requests
/// over every logged call, breakdowns by model and route, and the most expensive calls, slowest and most called routes.
/// </summary>
internal sealed record AiPerformanceReport
{
    /// <summary>The org filter, or null for all orgs.</summary>
    public string? Org { get; init; }

    /// <summary>The customer filter, or null.</summary>
    public string? Customer { get; init; }

    /// <summary>The route filter, or null.</summary>
    public string? Route { get; init; }

    /// <summary>The model filter, or null.</summary>
    public string? Model { get; init; }

    /// <summary>Start of the range, or null for all time.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the range (exclusive), or null for up to now.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Logged calls.</summary>
    public long Requests { get; init; }

    /// <summary>Calls answered from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary><see cref="CacheHits"/> / <see cref="Requests"/> (0 without calls).</summary>
    public double CacheHitRate { get; init; }

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

    /// <summary>Median call duration over all models.</summary>
    public double? DurationP50Ms { get; init; }

    /// <summary>95th percentile of call duration over all models.</summary>
    public double? DurationP95Ms { get; init; }

    /// <summary>Median time to first token of streams.</summary>
    public double? TtftP50Ms { get; init; }

    /// <summary>95th percentile of time to first token of streams.</summary>
    public double? TtftP95Ms { get; init; }

    /// <summary>Per model (the model sent upstream), most costly first.</summary>
    public IReadOnlyList<ModelMetrics> ByModel { get; init; } = [];

    /// <summary>Per route ('' for calls without <c>x-aigw-route</c>), most costly first.</summary>
    public IReadOnlyList<RouteMetrics> ByRoute { get; init; } = [];

    /// <summary>The most expensive calls, most expensive first.</summary>
    public IReadOnlyList<ExpensiveCall> TopExpensive { get; init; } = [];

    /// <summary>The <c>top</c> routes by 95th percentile of duration, slowest first.</summary>
    public IReadOnlyList<RouteLatency> SlowestRoutes { get; init; } = [];

    /// <summary>The <c>top</c> routes by calls, most called first.</summary>
    public IReadOnlyList<RouteMetrics> MostCalledRoutes { get; init; } = [];
}
