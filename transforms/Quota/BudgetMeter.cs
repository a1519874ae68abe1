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

    /// <summary>What <paramref name="orgId"/> has spent in the month holding <paramref name="at"/>.</summary>
    public ValueTask<MonthSpend> SpentAsync(string orgId, DateTimeOffset at, CancellationToken cancellationToken) =>
        counter.GetAsync(orgId, BudgetMonth.Of(at), cancellationToken);
}
