namespace AiGateway.Transforms.Quota;

/// <summary>What each account has spent this month, for AUTO mode and the operator API (the quota ledger counts it).</summary>
internal sealed class BudgetMeter(IQuotaLedger ledger)
{
    /// <summary>What <paramref name="account"/> has spent in the month holding <paramref name="at"/> (reservations of calls in flight included).</summary>
    public ValueTask<MonthSpend> SpentAsync(SpendAccount account, DateTimeOffset at, CancellationToken cancellationToken) =>
        ledger.SpentAsync(account, BudgetMonth.Of(at), cancellationToken);

    /// <summary>What <paramref name="orgId"/> has spent in the month holding <paramref name="at"/>.</summary>
    public ValueTask<MonthSpend> SpentAsync(string orgId, DateTimeOffset at, CancellationToken cancellationToken) =>
        SpentAsync(SpendAccount.Org(orgId), at, cancellationToken);
}
