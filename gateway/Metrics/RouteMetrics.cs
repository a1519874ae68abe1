namespace AiGateway.Metrics;

/// <summary>One route's counts and money, from the rollup.</summary>
internal sealed record RouteMetrics
{
    /// <summary>The <c>x-aigw-route</c> value, or '' for calls without one.</summary>
    public string Route { get; init; } = "";

    /// <summary>Calls.</summary>
    public long Requests { get; init; }

    /// <summary>Calls answered from the cache.</summary>
    public long CacheHits { get; init; }

    /// <summary><see cref="CacheHits"/> / <see cref="Requests"/>.</summary>
    public double CacheHitRate { get; init; }

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
}
