namespace AiGateway.Transforms.Quota;

/// <summary>
/// What the performance log says was spent in a month, per <see cref="SpendAccount"/>: orgs and customers from the
/// <c>ai_cost_daily</c> rollup, keys from the log itself (the rollup has no key). Hits and followers are logged with no
/// tokens and a zero cost, so the sums are what was billed.
/// </summary>
internal interface IMonthSpendStore
{
    /// <summary>The logged spend of every account with any in the month starting on <paramref name="month"/>.</summary>
    Task<IReadOnlyDictionary<SpendAccount, MonthSpend>> ReadAllAsync(DateOnly month, CancellationToken cancellationToken);

    /// <summary>The logged spend of <paramref name="account"/> in the month starting on <paramref name="month"/>.</summary>
    Task<MonthSpend> ReadAsync(DateOnly month, SpendAccount account, CancellationToken cancellationToken);
}
