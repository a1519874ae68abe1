using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Modes;
using AiGateway.Transforms.Orgs;
using Xunit;

namespace AiGateway.Tests.Modes;

public sealed class ModeSelectorTests
{
    private readonly ModeSelector _selector = new(new FixedOptionsMonitor<GatewayOptions>(new GatewayOptions
    {
        Modes = new ModesOptions { Cheap = "cheap-model", Smart = "smart-model" },
        Auto = new AutoOptions { SmartAboveBudgetShare = 0.2m },
        Routes = { ["batch"] = new RoutePolicyOptions { Mode = "cheap" }, ["plain"] = new RoutePolicyOptions() },
    }));

    [Theory]
    [InlineData("smart", "batch", "cheap", "smart")]
    [InlineData(" SMART ", "batch", "cheap", "smart")]
    [InlineData(null, "batch", "smart", "cheap")]
    [InlineData("", "batch", "smart", "cheap")]
    [InlineData(null, "plain", "auto", "auto")]
    [InlineData(null, "unknown-route", "smart", "smart")]
    [InlineData(null, null, null, null)]
    public void Requested_Sources_HeaderThenRouteThenOrgDefault(string? header, string? route, string? orgDefault, string? expected)
    {
        var org = new OrgAiSettings { OrgId = "acme", ModeDefault = orgDefault };

        Assert.Equal((expected, null), _selector.Requested(header, route, org));
    }

    [Fact]
    public void Requested_ClientModeOverrideFalse_HeaderIgnored()
    {
        var org = new OrgAiSettings { OrgId = "acme", ModeDefault = "cheap", ClientModeOverride = false };

        Assert.Equal(("cheap", null), _selector.Requested("smart", null, org));
        Assert.Equal(("cheap", null), _selector.Requested("nonsense", null, org));
    }

    [Fact]
    public void Requested_UnknownHeader_ErrorWithNearestMode()
    {
        var (mode, error) = _selector.Requested("smrat", null, (OrgAiSettings?)null);

        Assert.Null(mode);
        Assert.Contains("did you mean 'smart'?", error);
    }

    [Theory]
    [InlineData(null, "smart")]
    [InlineData("1", "smart")]
    [InlineData("0.2000001", "smart")]
    [InlineData("0.2", "cheap")]
    [InlineData("0", "cheap")]
    public void Resolve_Auto_SmartOnlyWhileShareAboveThreshold(string? share, string expected)
    {
        var choice = _selector.Resolve("auto", share is null ? null : decimal.Parse(share, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, choice.Mode);
        Assert.Equal("auto:" + expected, choice.Label);
        Assert.Equal(expected + "-model", choice.Model);
    }

    [Fact]
    public void Resolve_ExplicitMode_BudgetIgnored()
    {
        Assert.Equal(new ModeChoice("smart", false, "smart-model"), _selector.Resolve("smart", 0m));
        Assert.Equal("cheap", _selector.Resolve("cheap", 1m).Label);
    }
}
