using AiGateway.Config;
using Xunit;

namespace AiGateway.Tests.Config.Options;

/// <summary>The checks of the <c>Gateway</c> section that need nothing but the options themselves.</summary>
public sealed class GatewayOptionsValidatorTests
{
    private readonly GatewayOptionsValidator _validator = new();

    [Fact]
    public void Validate_FallbackToAnotherModel_Passes()
    {
        var options = WithFallbacks(("gpt-4o", "gpt-4o-mini"));

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_MutualFallbacks_Pass()
    {
        // Only one step is ever taken, so each model may stand in for the other.
        var options = WithFallbacks(("gpt-4o", "gpt-4o-mini"), ("gpt-4o-mini", "gpt-4o"));

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    [Fact]
    public void Validate_ModelFallsBackToItself_ErrorNamingTheKey()
    {
        var options = WithFallbacks(("gpt-4o", "GPT-4o "));

        var error = Assert.Single(_validator.Validate(null, options).Failures!);
        Assert.Contains("Gateway:Upstream:FallbackModels:gpt-4o is 'GPT-4o ', the model itself", error);
    }

    [Fact]
    public void Validate_EmptyFallback_ErrorNamingTheKey()
    {
        var options = WithFallbacks(("gpt-4o", " "));

        var error = Assert.Single(_validator.Validate(null, options).Failures!);
        Assert.Equal("Gateway:Upstream:FallbackModels:gpt-4o must name a model.", error);
    }

    [Fact]
    public void Validate_SeveralBadFallbacks_EveryErrorReported()
    {
        var options = WithFallbacks(("gpt-4o", "gpt-4o"), ("o3", ""));

        Assert.Equal(2, _validator.Validate(null, options).Failures!.Count());
    }

    [Theory]
    [InlineData(null, "read-only", "Gateway:Admin:ReadOnlyKey is set but Gateway:Admin:Key is not")]
    [InlineData("same", "same", "Gateway:Admin:ReadOnlyKey is the same as Gateway:Admin:Key")]
    public void Validate_ReadOnlyKeyWithoutOrSameAsTheAdminKey_Error(string? adminKey, string readOnlyKey, string expected)
    {
        var options = new GatewayOptions { Admin = new AdminOptions { Key = adminKey, ReadOnlyKey = readOnlyKey } };

        Assert.StartsWith(expected, Assert.Single(_validator.Validate(null, options).Failures!));
    }

    [Theory]
    [InlineData("admin", "read-only")]
    [InlineData("admin", null)]
    [InlineData(null, null)]
    public void Validate_ReadOnlyKeyBesideTheAdminKeyOrNone_Passes(string? adminKey, string? readOnlyKey)
    {
        var options = new GatewayOptions { Admin = new AdminOptions { Key = adminKey, ReadOnlyKey = readOnlyKey } };

        Assert.True(_validator.Validate(null, options).Succeeded);
    }

    private static GatewayOptions WithFallbacks(params (string Model, string Fallback)[] fallbacks)
    {
        var options = new GatewayOptions();
        foreach (var (model, fallback) in fallbacks)
        {
            options.Upstream.FallbackModels[model] = fallback;
        }

        return options;
    }
}
