namespace AiGateway.Metrics;

/// <summary>One route's duration percentiles, from the log (<c>slowest_routes</c>).</summary>
internal sealed record RouteLatency(string Route, long Requests, double? DurationP50Ms, double? DurationP95Ms);
