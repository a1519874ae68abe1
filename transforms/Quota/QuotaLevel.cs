namespace AiGateway.Transforms.Quota;

/// <summary>
/// One scope whose limits or budget apply to a call (CONTRACT §10.4): its key, its customer, its org, or its route
/// within the org. Every level of a call belongs to the call's org, so that all of them live in one Redis Cluster slot.
/// </summary>
/// <param name="Kind">What the level is: <c>key</c>, <c>customer</c>, <c>org</c> or <c>route</c> (named in refusals).</param>
/// <param name="Scope">The level's name within its org (<c>k:ID</c>, <c>c:ID</c>, <c>org</c>, <c>r:ROUTE</c>).</param>
/// <param name="RpmLimit">Requests per minute, or null.</param>
/// <param name="TpmLimit">Tokens per minute, or null.</param>
/// <param name="MaxConcurrent">Calls at once, or null.</param>
/// <param name="Account">The spend account whose budget this level enforces, or null.</param>
/// <param name="UsdBudget">The monthly USD budget enforced, or null.</param>
/// <param name="TokenBudget">The monthly token budget enforced, or null.</param>
internal sealed record QuotaLevel(
    string Kind, string Scope, int? RpmLimit, long? TpmLimit, int? MaxConcurrent, SpendAccount? Account, decimal? UsdBudget, long? TokenBudget)
{
    /// <summary>Whether the level limits the rate or the concurrency of calls.</summary>
    public bool HasLimits => RpmLimit is not null || TpmLimit is not null || MaxConcurrent is not null;

    /// <summary>Whether the level refuses calls that would overspend a budget.</summary>
    public bool EnforcesBudget => Account is not null && (UsdBudget is not null || TokenBudget is not null);

    /// <summary>The USD budget in the counts' units (10⁻¹⁰ USD), or -1 for none.</summary>
    public long UsdBudgetUnits => UsdBudget is { } usd ? MonthSpend.ToUnits(usd) : -1;
}
