namespace AiGateway.Metrics;

/// <summary>One model's line of the report: counts and money (rollup) with duration and TTFT percentiles (log).</summary>
internal sealed record ModelMetrics
{
    /// <summary>The model sent upstream (the requested one when no rewrite happened), or ''.</summary>
    public string Model { get; init; } = "";

    /// <summary>Calls.</summary>
    public long Requests { get; init; }

    /// <summary>Calls answered from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary><see cref="CacheHits"/> / <see cref="Requests"/>.</summary>
    public double CacheHitRate { get; init; }

    /// <summary>Calls that joined an identical call in flight.</summary>
    public long DedupeFollowers { get; init; }

    /// <summary>Input tokens.</summary>
    public long PromptTokens { get; init; }

    /// <summary>Output tokens.</summary>
    public long CompletionTokens { get; init; }

    /// <summary>What the calls cost.</summary>
    public decimal CostUsd { get; init; }

    /// <summary>Average cost of one call (<see cref="CostUsd"/> / <see cref="Requests"/>, hits and followers included at 0), to 10 decimals.</summary>
    public decimal AvgCostUsd { get; init; }

    /// <summary>What hits and followers avoided paying.</summary>
    public decimal SavedUsd { get; init; }

    /// <summary>Median call duration.</summary>
    public double? DurationP50Ms { get; init; }

    /// <summary>95th percentile of call duration.</summary>
    public double? DurationP95Ms { get; init; }

    /// <summary>Median time to first token of streams.</summary>
    public double? TtftP50Ms { get; init; }

    /// <summary>95th percentile of time to first token of streams.</summary>
    public double? TtftP95Ms { get; init; }
}
