namespace AiGateway.Metrics;

/// <summary>Reads the performance log and its daily rollup for the metrics API: Postgres or the embedded store.</summary>
internal interface IAiMetricsStore
{
    /// <summary>How many of the most expensive calls <see cref="ReadAsync"/> returns.</summary>
    public const int TopExpensiveCount = 10;

    /// <summary>
    /// Costs per (route, model) — whole days from the rollup, partial days from the log — and latency, followers and the
    /// most expensive calls from the log, all within <paramref name="filter"/>.
    /// </summary>
    Task<AiMetricsData> ReadAsync(AiMetricsFilter filter, CancellationToken cancellationToken);

    /// <summary>One point per <paramref name="bucket"/> that has calls, oldest first, at most <paramref name="maxPoints"/> (the latest).</summary>
    Task<IReadOnlyList<TimeSeriesPoint>> ReadSeriesAsync(AiMetricsFilter filter, TimeBucket bucket, int maxPoints, CancellationToken cancellationToken);
}
