using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;
using Xunit;

namespace AiGateway.Tests.Quota;

public sealed class BudgetShareTests
{
    [Fact]
    public void Remaining_NoBudget_Null()
    {
        Assert.Null(BudgetShare.Remaining(new OrgAiSettings { OrgId = "a" }, new MonthSpend(1000, 0)));
        Assert.Null(BudgetShare.Remaining(null, default));
    }

    [Fact]
    public void Remaining_TokenBudget_ExactShare()
    {
        var settings = new OrgAiSettings { OrgId = "a", MonthlyTokenBudget = 40 };

        Assert.Equal(0.2m, BudgetShare.Remaining(settings, new MonthSpend(32, 0)));
        Assert.Equal(0m, BudgetShare.Remaining(settings, new MonthSpend(41, 0)));
    }

    [Fact]
    public void Remaining_BothBudgets_LowerShareWins()
    {
        var settings = new OrgAiSettings { OrgId = "a", MonthlyTokenBudget = 1000, MonthlyUsdBudget = 2m };

        Assert.Equal(0.25m, BudgetShare.Remaining(settings, new MonthSpend(100, MonthSpend.ToUnits(1.5m))));
        Assert.Equal(0.1m, BudgetShare.Remaining(settings, new MonthSpend(900, MonthSpend.ToUnits(0.5m))));
    }

    [Fact]
    public void Remaining_ZeroBudget_NothingLeft()
    {
        Assert.Equal(0m, BudgetShare.Remaining(new OrgAiSettings { OrgId = "a", MonthlyUsdBudget = 0m }, default));
    }

    [Fact]
    public void ToUnits_TenDecimalCost_ExactRoundTrip()
    {
        var cost = 0.0000123456m;

        Assert.Equal(123456L, MonthSpend.ToUnits(cost));
        Assert.Equal(cost, new MonthSpend(0, MonthSpend.ToUnits(cost)).Usd);
    }
}
