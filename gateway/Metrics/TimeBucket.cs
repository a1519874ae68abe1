namespace AiGateway.Metrics;

/// <summary>The width of one point of a metrics time series (UTC).</summary>
internal enum TimeBucket
{
    /// <summary>One minute.</summary>
    Minute,

    /// <summary>One hour.</summary>
    Hour,

    /// <summary>One UTC day.</summary>
    Day,
}
