namespace AiGateway.Metrics;

/// <summary>The body of <c>GET /api/metrics/ai-performance/timeseries</c>: the filters echoed and one point per bucket with calls.</summary>
internal sealed record TimeSeriesReport
{
    /// <summary>The org filter, or null.</summary>
    public string? Org { get; init; }

    /// <summary>The customer filter, or null.</summary>
    public string? Customer { get; init; }

    /// <summary>The route filter, or null.</summary>
    public string? Route { get; init; }

    /// <summary>The model filter, or null.</summary>
    public string? Model { get; init; }

    /// <summary>Start of the range, or null.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>End of the range (exclusive), or null.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary><c>minute</c>, <c>hour</c> or <c>day</c>.</summary>
    public string Bucket { get; init; } = "hour";

    /// <summary>Seconds in one bucket, to turn counts into rates.</summary>
    public int BucketSeconds { get; init; }

    /// <summary>Buckets with calls, oldest first.</summary>
    public IReadOnlyList<TimeSeriesPoint> Points { get; init; } = [];
}
