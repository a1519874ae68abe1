namespace AiGateway.Metrics;

/// <summary>Latency of one group of log rows (a model, a route, or all): percentiles as <c>percentile_cont</c> computes them, null without data.</summary>
internal sealed record LatencyGroup(
    string Key,
    long Requests,
    long DedupeFollowers,
    double? DurationP50Ms,
    double? DurationP95Ms,
    double? TtftP50Ms,
    double? TtftP95Ms);
