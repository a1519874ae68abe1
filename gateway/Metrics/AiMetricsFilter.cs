namespace AiGateway.Metrics;

/// <summary>What a metrics query covers: an org, route and model (each optional) and the time range <c>[From, To)</c>, open where null.</summary>
internal sealed record AiMetricsFilter(string? Org, string? Route, string? Model, DateTimeOffset? From, DateTimeOffset? To);
