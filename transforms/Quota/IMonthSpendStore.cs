namespace AiGateway.Transforms.Quota;

/// <summary>What the performance log says each org spent in a month, read from the <c>ai_cost_daily</c> rollup.</summary>
internal interface IMonthSpendStore
{
    /// <summary>The logged spend per org in the month starting on <paramref name="month"/>: of <paramref name="orgId"/> only, or of every org when null.</summary>
    Task<IReadOnlyDictionary<string, MonthSpend>> ReadAsync(DateOnly month, string? orgId, CancellationToken cancellationToken);
}
