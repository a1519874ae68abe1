using System.Text.Json;
using AiGateway.Transforms.Orgs;
using Xunit;

namespace AiGateway.Tests.Orgs;

public sealed class OrgSettingsPatchTests
{
    [Fact]
    public void Parse_SomeFields_OnlyThoseColumnsSet()
    {
        var (patch, error, _) = Parse("""{"mode_default":"AUTO","monthly_usd_budget":50.25,"hard_budget":true,"cache_ttl_seconds":null}""");

        Assert.Null(error);
        Assert.Equal(
            [new("mode_default", "auto"), new("monthly_usd_budget", 50.25m), new("hard_budget", true), new("cache_ttl_seconds", null)],
            patch!.Values);
    }

    [Fact]
    public void Parse_UnknownField_ErrorNamesItAndTheNearestColumn()
    {
        var (patch, error, field) = Parse("""{"monthly_token_budjet":5}""");

        Assert.Null(patch);
        Assert.Equal("monthly_token_budjet", field);
        Assert.Contains("did you mean 'monthly_token_budget'?", error);
    }

    [Theory]
    [InlineData("""{"mode_default":"fast"}""", "mode_default")]
    [InlineData("""{"client_mode_override":"false"}""", "client_mode_override")]
    [InlineData("""{"cache_ttl_seconds":-1}""", "cache_ttl_seconds")]
    [InlineData("""{"cache_ttl_seconds":1.5}""", "cache_ttl_seconds")]
    [InlineData("""{"monthly_token_budget":-5}""", "monthly_token_budget")]
    [InlineData("""{"monthly_usd_budget":0.00000000001}""", "monthly_usd_budget")]
    [InlineData("""{"monthly_usd_budget":"50"}""", "monthly_usd_budget")]
    [InlineData("""{"org_id":"other"}""", "org_id")]
    public void Parse_BadValue_ErrorForThatField(string json, string expectedField)
    {
        var (patch, error, field) = Parse(json);

        Assert.Null(patch);
        Assert.Equal(expectedField, field);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Parse_OrgIdOfThePath_Accepted()
    {
        var (patch, error, _) = Parse("""{"org_id":"acme","dedupe_enabled":false}""");

        Assert.Null(error);
        Assert.Equal([new("dedupe_enabled", false)], patch!.Values);
    }

    [Fact]
    public void Parse_NotAnObject_Error()
    {
        Assert.NotNull(Parse("[]").Error);
    }

    private static (OrgSettingsPatch? Patch, string? Error, string? Field) Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return OrgSettingsPatch.Parse(document.RootElement, "acme");
    }
}
