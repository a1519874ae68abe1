using AiGateway.Transforms.Orgs;

namespace AiGateway.Transforms.Quota;

/// <summary>How much of a monthly budget is left, as a share from 0 to 1 (CONTRACT §6), and whether a call would overspend it.</summary>
internal static class BudgetShare
{
    /// <summary>Whether the org has a token or USD budget.</summary>
    public static bool HasBudget(OrgAiSettings? settings) => settings is { MonthlyTokenBudget: not null } or { MonthlyUsdBudget: not null };

    /// <summary>The remaining share of the org's budget: the lower of the token and USD shares where both are set; null when it has no budget.</summary>
    public static decimal? Remaining(OrgAiSettings? settings, MonthSpend spent) =>
        Remaining(settings?.MonthlyTokenBudget, settings?.MonthlyUsdBudget, spent);

    /// <summary>The remaining share of a token and a USD budget (either may be absent); null when neither is set.</summary>
    public static decimal? Remaining(long? tokenBudget, decimal? usdBudget, MonthSpend spent)
    {
        decimal? share = null;
        if (tokenBudget is { } tokens)
        {
            share = Share(tokens, spent.Tokens);
        }

        if (usdBudget is { } usd)
        {
            var usdShare = Share(usd, spent.Usd);
            share = share is { } tokenShare ? Math.Min(tokenShare, usdShare) : usdShare;
        }

        return share;
    }

    /// <summary>
    /// Whether nothing is left of <paramref name="level"/>'s budget, which has <paramref name="spent"/> counted
    /// (reservations of calls in flight included): a call is admitted while anything is left and reserves its estimate,
    /// so when every reservation is at least the call's real cost, spend exceeds the budget by at most one call.
    /// </summary>
    public static bool IsUsedUp(QuotaLevel level, MonthSpend spent) =>
        (level.TokenBudget is { } tokens && spent.Tokens >= tokens) || (level.UsdBudgetUnits is >= 0 and var usd && spent.UsdUnits >= usd);

    // Exact decimal arithmetic: a share lands exactly on a threshold like 0.2 when the spend does.
    private static decimal Share(decimal budget, decimal spent) => budget <= 0 ? 0m : Math.Clamp((budget - spent) / budget, 0m, 1m);
}
