namespace AiGateway.Metrics;

/// <summary>What a metrics query covers: an org, route and model (each optional) and the time range <c>[From, To)</c>, open where null.</summary>
internal sealed record AiMetricsFilter(string? Org, string? Route, string? Model, DateTimeOffset? From, DateTimeOffset? To)
{
    /// <summary>The customer (<c>customer_id</c> of the log and the rollup), or null for all, customers or none.</summary>
    public string? Customer { get; init; }
}
