using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Upstream;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>Fallback models must have prices, like mode models, or their answers could not be costed.</summary>
public sealed class FallbackModelValidatorTests
{
    private readonly FallbackModelValidator _validator = new(new PriceCatalog(NullLogger<PriceCatalog>.Instance));

    [Fact]
    public void Validate_NoFallbacks_Pass()
    {
        Assert.True(_validator.Validate(null, new GatewayOptions()).Succeeded);
    }

    [Fact]
    public void Validate_PricedModels_Pass()
    {
        Assert.True(_validator.Validate(null, WithFallback("gpt-4o", "gpt-4o-mini")).Succeeded);
    }

    [Fact]
    public void Validate_DatedSnapshotOfPricedModel_Passes()
    {
        Assert.True(_validator.Validate(null, WithFallback("gpt-4o-2099-01-01", "gpt-4o-mini-2099-01-01")).Succeeded);
    }

    [Fact]
    public void Validate_UnpricedFallback_ErrorWithNearestPricedModel()
    {
        var error = Assert.Single(_validator.Validate(null, WithFallback("gpt-4o", "gpt-4o-mimi")).Failures!);

        Assert.Contains("Gateway:Upstream:FallbackModels:gpt-4o is 'gpt-4o-mimi', which has no price", error);
        Assert.Contains("did you mean 'gpt-4o-mini'?", error);
    }

    [Fact]
    public void Validate_UnpricedModelFallingBack_ErrorWithNearestPricedModel()
    {
        var error = Assert.Single(_validator.Validate(null, WithFallback("gpt4o", "gpt-4o-mini")).Failures!);

        Assert.Contains("Gateway:Upstream:FallbackModels:gpt4o names the model 'gpt4o', which has no price", error);
        Assert.Contains("did you mean 'gpt-4o'?", error);
    }

    [Fact]
    public void Validate_ModelPricedOnlyInTheStore_Passes()
    {
        var catalog = new PriceCatalog(NullLogger<PriceCatalog>.Instance);
        catalog.Replace(new PriceBook([new ModelPrice("in-house-model", 1m, 1m, 1m, DateTimeOffset.UnixEpoch)]));

        Assert.True(new FallbackModelValidator(catalog).Validate(null, WithFallback("gpt-4o", "in-house-model")).Succeeded);
    }

    [Fact]
    public async Task Start_UnpricedFallbackModel_RefusedNamingTheNearestPricedModel()
    {
        var ex = await Assert.ThrowsAsync<GatewayConfigurationException>(() => TestGateway.StartAsync(
            new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { ["Gateway:Upstream:FallbackModels:gpt-4o"] = "gpt-4o-minii" }));

        Assert.Contains(ex.Errors, e => e.Contains("Gateway:Upstream:FallbackModels:gpt-4o", StringComparison.Ordinal) && e.Contains("did you mean 'gpt-4o-mini'?", StringComparison.Ordinal));
    }

    private static GatewayOptions WithFallback(string model, string fallback)
    {
        var options = new GatewayOptions();
        options.Upstream.FallbackModels[model] = fallback;
        return options;
    }
}
