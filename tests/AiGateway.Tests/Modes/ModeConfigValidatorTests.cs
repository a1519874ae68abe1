using System.Text.Json.Nodes;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Modes;
using AiGateway.Transforms.Prices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit;

namespace AiGateway.Tests.Modes;

public sealed class ModeConfigValidatorTests
{
    private readonly ModeConfigValidator _validator = new(new PriceCatalog(NullLogger<PriceCatalog>.Instance));

    [Fact]
    public void Validate_Defaults_Pass()
    {
        Assert.True(_validator.Validate(null, new GatewayOptions()).Succeeded);
    }

    [Fact]
    public void Validate_UnpricedModeModel_ErrorWithNearestPricedModel()
    {
        var result = _validator.Validate(null, new GatewayOptions { Modes = new ModesOptions { Cheap = "gpt-4o-mimi" } });

        var error = Assert.Single(result.Failures!);
        Assert.Contains("Gateway:Modes:cheap is 'gpt-4o-mimi'", error);
        Assert.Contains("did you mean 'gpt-4o-mini'?", error);
    }

    [Fact]
    public void Validate_DatedSnapshotOfPricedModel_Passes()
    {
        Assert.True(_validator.Validate(null, new GatewayOptions { Modes = new ModesOptions { Smart = "gpt-4o-2099-01-01" } }).Succeeded);
    }

    [Fact]
    public void Validate_ModelPricedOnlyInTheStore_Passes()
    {
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);
        catalog.Replace(new PriceBook([new ModelPrice("in-house-model", 1m, 1m, 1m, DateTimeOffset.UnixEpoch)]));

        Assert.True(new ModeConfigValidator(catalog).Validate(null, new GatewayOptions { Modes = new ModesOptions { Cheap = "in-house-model" } }).Succeeded);
    }

    [Fact]
    public void Validate_RouteWithUnknownMode_ErrorWithNearestMode()
    {
        var options = new GatewayOptions { Routes = { ["reports"] = new RoutePolicyOptions { Mode = "cheep" } } };

        var error = Assert.Single(_validator.Validate(null, options).Failures!);
        Assert.Contains("Gateway:Routes:reports:Mode is 'cheep'", error);
        Assert.Contains("did you mean 'cheap'?", error);
    }

    [Fact]
    public async Task Start_UnpricedModeModel_RefusedNamingTheNearestPricedModel()
    {
        var ex = await Assert.ThrowsAsync<GatewayConfigurationException>(() => TestGateway.StartAsync(
            new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { ["Gateway:Modes:smart"] = "gpt4o" }));

        Assert.Contains(ex.Errors, e => e.Contains("Gateway:Modes:smart", StringComparison.Ordinal) && e.Contains("did you mean 'gpt-4o'?", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reload_UnpricedModeModel_RefusedAndLastGoodModesServe()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));
        var guard = gateway.Services.GetRequiredService<ConfigGuard>();
        var options = gateway.Services.GetRequiredService<IOptionsMonitor<GatewayOptions>>();
        var refused = guard.RefusedReloads;

        var json = JsonNode.Parse(await File.ReadAllTextAsync(gateway.SettingsPath))!.AsObject();
        json["Gateway"]!["Modes"] = new JsonObject { ["cheap"] = "gpt-4o-minii" };
        await File.WriteAllTextAsync(gateway.SettingsPath, json.ToJsonString());
        await Eventually.UntilAsync(() => guard.RefusedReloads > refused, "the edit to be refused");

        Assert.Contains(guard.LastRefusal, e => e.Contains("Gateway:Modes:cheap", StringComparison.Ordinal) && e.Contains("did you mean 'gpt-4o-mini'?", StringComparison.Ordinal));
        Assert.Equal("gpt-4o-mini", options.CurrentValue.Modes.Cheap);
    }
}
