namespace AiGateway.Config;

/// <summary>The <c>Gateway:Auto</c> section: how the <c>auto</c> mode chooses between <c>smart</c> and <c>cheap</c>.</summary>
public sealed class AutoOptions
{
    /// <summary>
    /// <c>auto</c> runs as <c>smart</c> while the org's remaining share of its monthly budget (the lower of the token
    /// and USD shares where both are set) is above this, and as <c>cheap</c> from then on.
    /// </summary>
    /// <value>A share, 0 to 1. Default 0.2 (smart until 80 % of the budget is spent).</value>
    public decimal SmartAboveBudgetShare { get; set; } = 0.2m;
}
