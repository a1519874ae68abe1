using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Quota;

/// <summary>Counts what each ended call spent against its org's monthly budget, and tells the request path what is spent.</summary>
internal sealed class BudgetMeter(IBudgetCounter counter)
{
    /// <summary>Adds an ended call's billed tokens (prompt plus completion) and cost; hits and followers bill nothing.</summary>
    public void Count(string orgId, DateTimeOffset receivedAt, TokenUsage? usage, decimal? costUsd)
    {
        var spend = new MonthSpend(usage is { } billed ? billed.PromptTokens + billed.CompletionTokens : 0, MonthSpend.ToUnits(costUsd ?? 0m));
        if (spend.Tokens > 0 || spend.UsdUnits > 0)
        {
            // The month of the call's arrival, as the log's partition and the rollup's day.
            counter.Add(orgId, BudgetMonth.Of(receivedAt), spend);
        }
    }

    /// <summary>
    /// What <paramref name="account"/> has spent in the month holding <paramref name="at"/>. TEMPORARY (gov-admin branch,
    /// a compile aid for the admin API until the per-account counts land): an org's account reads the org's count;
    /// a customer's or a key's reads <see cref="UncountedAccountPlaceholder"/>.
    /// </summary>
    public ValueTask<MonthSpend> SpentAsync(SpendAccount account, DateTimeOffset at, CancellationToken cancellationToken) =>
        account.CustomerId is null && account.KeyId is null
            ? SpentAsync(account.OrgId, at, cancellationToken)
            : ValueTask.FromResult(UncountedAccountPlaceholder);

    /// <summary>TEMPORARY: the spend answered for customer and key accounts until they are counted (see the overload above).</summary>
    internal static MonthSpend UncountedAccountPlaceholder => default;

    /// <summary>What <paramref name="orgId"/> has spent in the month holding <paramref name="at"/>.</summary>
    public ValueTask<MonthSpend> SpentAsync(string orgId, DateTimeOffset at, CancellationToken cancellationToken) =>
        counter.GetAsync(orgId, BudgetMonth.Of(at), cancellationToken);
}
