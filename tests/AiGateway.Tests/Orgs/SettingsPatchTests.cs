using System.Text.Json;
using AiGateway.Transforms.Orgs;
using Xunit;

namespace AiGateway.Tests.Orgs;

public sealed class SettingsPatchTests
{
    [Fact]
    public void Parse_SomeFields_OnlyThoseColumnsSet()
    {
        var (patch, error) = ParseOrg("""{"mode_default":"AUTO","monthly_usd_budget":50.25,"hard_budget":true,"cache_ttl_seconds":null,"rpm_limit":600,"tpm_limit":90000,"customers_allowed":true}""");

        Assert.Null(error);
        Assert.Equal(
            [("mode_default", "auto"), ("monthly_usd_budget", 50.25m), ("hard_budget", true), ("cache_ttl_seconds", null), ("rpm_limit", 600), ("tpm_limit", 90000L), ("customers_allowed", true)],
            patch!.Values.Select(v => (v.Key.Name, v.Value)));
    }

    [Fact]
    public void Parse_UnknownField_ErrorNamesItAndTheNearestColumn()
    {
        var (patch, error) = ParseOrg("""{"monthly_token_budjet":5}""");

        Assert.Null(patch);
        Assert.Equal(("unknown_field", "monthly_token_budjet"), (error!.Code, error.Field));
        Assert.Contains("did you mean 'monthly_token_budget'?", error.Message);
    }

    [Theory]
    [InlineData("""{"mode_default":"fast"}""", "mode_default")]
    [InlineData("""{"client_mode_override":"false"}""", "client_mode_override")]
    [InlineData("""{"client_mode_override":null}""", "client_mode_override")]
    [InlineData("""{"cache_ttl_seconds":-1}""", "cache_ttl_seconds")]
    [InlineData("""{"cache_ttl_seconds":1.5}""", "cache_ttl_seconds")]
    [InlineData("""{"monthly_token_budget":-5}""", "monthly_token_budget")]
    [InlineData("""{"monthly_usd_budget":0.00000000001}""", "monthly_usd_budget")]
    [InlineData("""{"monthly_usd_budget":10000000000}""", "monthly_usd_budget")]
    [InlineData("""{"monthly_usd_budget":"50"}""", "monthly_usd_budget")]
    [InlineData("""{"rpm_limit":0}""", "rpm_limit")]
    [InlineData("""{"rpm_limit":10000001}""", "rpm_limit")]
    [InlineData("""{"tpm_limit":0}""", "tpm_limit")]
    [InlineData("""{"max_concurrent":-1}""", "max_concurrent")]
    [InlineData("""{"customers_allowed":"yes"}""", "customers_allowed")]
    [InlineData("""{"org_id":"other"}""", "org_id")]
    public void Parse_BadValue_ErrorForThatField(string json, string expectedField)
    {
        var (patch, error) = ParseOrg(json);

        Assert.Null(patch);
        Assert.Equal(("invalid_value", expectedField), (error!.Code, error.Field));
        Assert.False(string.IsNullOrEmpty(error.Message));
    }

    [Fact]
    public void Parse_OrgIdOfThePath_Accepted()
    {
        var (patch, error) = ParseOrg("""{"org_id":"acme","dedupe_enabled":false}""");

        Assert.Null(error);
        Assert.Equal([("dedupe_enabled", (object?)false)], patch!.Values.Select(v => (v.Key.Name, v.Value)));
    }

    [Fact]
    public void Parse_NotAnObject_Error()
    {
        Assert.NotNull(ParseOrg("[]").Error);
    }

    [Fact]
    public void ParseCustomer_NullEverywhere_EachColumnInherits()
    {
        var columns = SettingsTable.Customer.Columns.Select(c => c.Name).ToList();
        var json = "{" + string.Join(",", columns.Select(c => $"\"{c}\":null")) + "}";

        var (patch, error) = ParseCustomer(json);

        Assert.Null(error);
        Assert.Equal(columns, patch!.Values.Select(v => v.Key.Name));
        Assert.All(patch.Values, v => Assert.Null(v.Value));
    }

    [Theory]
    [InlineData("""{"customers_allowed":true}""", "unknown_field", "customers_allowed")]
    [InlineData("""{"customer_id":"cust-2"}""", "invalid_value", "customer_id")]
    [InlineData("""{"rpm_limit":0}""", "invalid_value", "rpm_limit")]
    public void ParseCustomer_OrgOnlyFieldOrOtherCustomerOrBadValue_Refused(string json, string code, string field)
    {
        var (patch, error) = ParseCustomer(json);

        Assert.Null(patch);
        Assert.Equal((code, field), (error!.Code, error.Field));
    }

    [Fact]
    public void ParseCustomer_KeysOfThePath_Accepted()
    {
        var (patch, error) = ParseCustomer("""{"org_id":"acme","customer_id":"cust-1","hard_budget":true}""");

        Assert.Null(error);
        Assert.Equal([("hard_budget", (object?)true)], patch!.Values.Select(v => (v.Key.Name, v.Value)));
    }

    private static (SettingsPatch? Patch, AiGateway.Transforms.Errors.FieldError? Error) ParseOrg(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SettingsPatch.Parse(document.RootElement, SettingsTable.Org, ["acme"]);
    }

    private static (SettingsPatch? Patch, AiGateway.Transforms.Errors.FieldError? Error) ParseCustomer(string json)
    {
        using var document = JsonDocument.Parse(json);
        return SettingsPatch.Parse(document.RootElement, SettingsTable.Customer, ["acme", "cust-1"]);
    }
}
