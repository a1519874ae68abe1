namespace AiGateway.Metrics;

/// <summary>What a store reads for one metrics query, before it is shaped into an <see cref="AiPerformanceReport"/>.</summary>
internal sealed record AiMetricsData(
    IReadOnlyList<CostGroup> Costs,
    LatencyGroup Total,
    IReadOnlyList<LatencyGroup> ByModel,
    IReadOnlyList<LatencyGroup> ByRoute,
    IReadOnlyList<ExpensiveCall> TopExpensive);
