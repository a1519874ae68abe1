namespace AiGateway.Transforms.Quota;

/// <summary>
/// One call's claim on its quota: the levels that apply, the accounts its spend counts against, and what it is
/// estimated to use. Admitted (or not) by <see cref="IQuotaLedger.AdmitAsync"/>, settled once by <see cref="IQuotaLedger.Settle"/>.
/// </summary>
internal sealed class QuotaTicket
{
    /// <summary>Makes the claim of call <paramref name="callId"/>.</summary>
    public QuotaTicket(string orgId, DateOnly month, string callId, QuotaLevel[] levels, SpendAccount[] accounts, MonthSpend estimate)
    {
        OrgId = orgId;
        Month = month;
        CallId = callId;
        Levels = levels;
        Accounts = accounts;
        Estimate = estimate;
    }

    /// <summary>The org every level and account belongs to.</summary>
    public string OrgId { get; }

    /// <summary>The budget month of the call's arrival.</summary>
    public DateOnly Month { get; }

    /// <summary>The call's id (its request id), which holds its concurrency slots.</summary>
    public string CallId { get; }

    /// <summary>The levels whose limits or budgets apply (empty when none does).</summary>
    public QuotaLevel[] Levels { get; }

    /// <summary>The accounts the call's spend counts against: its org, and its customer and key when it has them.</summary>
    public SpendAccount[] Accounts { get; }

    /// <summary>What the call is estimated to use: prompt plus output tokens, and their cost.</summary>
    public MonthSpend Estimate { get; }

    /// <summary>Whether the ledger took the call's share (reservations and slots to give back at settlement).</summary>
    public bool Admitted { get; set; }

    /// <summary>Whether admission reserved the call's estimate against <paramref name="account"/>'s budget (a level enforces it).</summary>
    public bool Reserves(SpendAccount account)
    {
        foreach (var level in Levels)
        {
            if (level.EnforcesBudget && level.Account == account)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether the in-process ledger admitted the call because Redis could not (its settlement goes there too).</summary>
    public bool AdmittedLocally { get; set; }
}
