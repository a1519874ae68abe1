using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;

namespace AiGateway.Transforms.Quota;

/// <summary>Counts what each completed call spent against its org's monthly budget, and tells the request path what is spent.</summary>
internal sealed class BudgetMeter(IBudgetCounter counter)
{
    /// <summary>Adds a finished call's billed tokens (prompt plus completion) and cost; hits and followers spent nothing.</summary>
    public void Count(PerfLogRecord record)
    {
        if (record.CacheStatus == "hit" || record.DedupeRole == "follower")
        {
            return;
        }

        var spend = new MonthSpend(record.PromptTokens + record.CompletionTokens, MonthSpend.ToUnits(record.CostUsd ?? 0m));
        if (spend.Tokens > 0 || spend.UsdUnits > 0)
        {
            // The month of the call's start, as the log's partition and the rollup's day.
            counter.Add(record.OrgId, BudgetMonth.Of(record.Ts), spend);
        }
    }

    /// <summary>What <paramref name="orgId"/> has spent in the month holding <paramref name="at"/>.</summary>
    public ValueTask<MonthSpend> SpentAsync(string orgId, DateTimeOffset at, CancellationToken cancellationToken) =>
        counter.GetAsync(orgId, BudgetMonth.Of(at), cancellationToken);
}
