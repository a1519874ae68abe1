namespace AiGateway.Transforms.Quota;

/// <summary>
/// Where limits and budgets are counted: in process (<see cref="MemoryQuotaLedger"/>) or in Redis, shared by every
/// instance (<see cref="RedisQuotaLedger"/>). A per-minute limit is a token bucket (a burst of N, refilled at N per minute);
/// a budget is a monthly count that admission reserves against and settlement corrects to the real spend.
/// </summary>
internal interface IQuotaLedger
{
    /// <summary>Takes the call's share of every level at once — a request, its estimated tokens, a concurrency slot, its estimated spend — or none of it.</summary>
    ValueTask<QuotaDecision> AdmitAsync(QuotaTicket ticket, CancellationToken cancellationToken);

    /// <summary>
    /// Ends the call's claim: gives back what an admitted call reserved and did not use (tokens, its slots, its budget
    /// reservation) and counts <paramref name="spent"/> against its accounts. Returns at once; the work may finish later.
    /// </summary>
    void Settle(QuotaTicket ticket, MonthSpend spent);

    /// <summary>What <paramref name="account"/> has spent (reservations of calls in flight included) in <paramref name="month"/>.</summary>
    ValueTask<MonthSpend> SpentAsync(SpendAccount account, DateOnly month, CancellationToken cancellationToken);
}
