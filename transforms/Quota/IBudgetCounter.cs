namespace AiGateway.Transforms.Quota;

/// <summary>The fast count of what each org spent per month: Redis when configured (shared by instances), in-process otherwise.</summary>
internal interface IBudgetCounter
{
    /// <summary>What <paramref name="orgId"/> has spent in the month starting on <paramref name="month"/>.</summary>
    ValueTask<MonthSpend> GetAsync(string orgId, DateOnly month, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="spend"/> to the month's count; returns at once (the count is updated in the background).</summary>
    void Add(string orgId, DateOnly month, MonthSpend spend);
}
