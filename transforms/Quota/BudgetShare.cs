using AiGateway.Transforms.Orgs;
namespace AiGateway.Transforms.Quota;

/// <summary>How much of an org's monthly budget is left, as a share from 0 to 1 (CONTRACT §6).</summary>
internal static class BudgetShare
{
    /// <summary>Whether the org has a token or USD budget.</summary>
    public static bool HasBudget(OrgAiSettings? settings) => settings is { MonthlyTokenBudget: not null } or { MonthlyUsdBudget: not null };

    /// <summary>The remaining share: the lower of the token and USD shares where both are set; null when the org has no budget.</summary>
    public static decimal? Remaining(OrgAiSettings? settings, MonthSpend spent)
    {
        decimal? share = null;
        if (settings?.MonthlyTokenBudget is { } tokens)
        {
            share = Share(tokens, spent.Tokens);
        }

        if (settings?.MonthlyUsdBudget is { } usd)
        {
            var usdShare = Share(usd, spent.Usd);
            share = share is { } tokenShare ? Math.Min(tokenShare, usdShare) : usdShare;
        }

        return share;
    }

    // Exact decimal arithmetic: a share lands exactly on a threshold like 0.2 when the spend does.
    private static decimal Share(decimal budget, decimal spent) => budget <= 0 ? 0m : Math.Clamp((budget - spent) / budget, 0m, 1m);
}
