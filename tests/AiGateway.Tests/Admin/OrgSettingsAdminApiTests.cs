using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary><c>GET</c>/<c>PUT /api/orgs/{org}/settings</c> (CONTRACT §8) on real gateways.</summary>
public sealed class OrgSettingsAdminApiTests
{
    [Fact]
    public async Task Get_OrgWithoutRow_Defaults()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));

        using var json = JsonDocument.Parse(await gateway.Client.GetStringAsync("api/orgs/acme/settings"));

        Assert.Equal(
            """{"org_id":"acme","mode_default":null,"client_mode_override":true,"cache_enabled":true,"cache_ttl_seconds":null,"dedupe_enabled":true,"monthly_token_budget":null,"monthly_usd_budget":null,"hard_budget":false,"rpm_limit":null,"tpm_limit":null,"max_concurrent":null,"payload_logging":"off","customers_allowed":false}""",
            json.RootElement.GetRawText());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Put_PartialUpdates_OnlyNamedColumnsChange(string store)
    {
        await using var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            database is null ? null : new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString });
        var org = new OrgCalls();

        await org.PutSettingsAsync(gateway, """{"mode_default":"auto","monthly_usd_budget":50,"cache_ttl_seconds":60}""");
        var second = await org.PutSettingsAsync(gateway, """{"hard_budget":true,"cache_ttl_seconds":null}""");
        using var read = JsonDocument.Parse(await gateway.Client.GetStringAsync($"api/orgs/{org.OrgId}/settings"));

        Assert.Equal(second.GetRawText(), read.RootElement.GetRawText());
        Assert.Equal("auto", second.GetProperty("mode_default").GetString());
        Assert.Equal("50", second.GetProperty("monthly_usd_budget").GetRawText());
        Assert.True(second.GetProperty("hard_budget").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("cache_ttl_seconds").ValueKind);
        Assert.True(second.GetProperty("client_mode_override").GetBoolean());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Put_LimitsAndCustomersAllowed_StoredAndInForceAtOnce(string store)
    {
        await using var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            database is null ? null : new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString });
        var org = new OrgCalls();

        var put = await org.PutSettingsAsync(gateway, """{"customers_allowed":true,"rpm_limit":600,"tpm_limit":10000000000,"max_concurrent":8}""");
        var cleared = await org.PutSettingsAsync(gateway, """{"max_concurrent":null}""");
        var held = gateway.Services.GetRequiredService<OrgSettingsSnapshot>().Find(org.OrgId)!;

        Assert.True(put.GetProperty("customers_allowed").GetBoolean());
        Assert.Equal((600, 10_000_000_000L, 8), (put.GetProperty("rpm_limit").GetInt32(), put.GetProperty("tpm_limit").GetInt64(), put.GetProperty("max_concurrent").GetInt32()));
        Assert.Equal(JsonValueKind.Null, cleared.GetProperty("max_concurrent").ValueKind);
        Assert.Equal((true, 600, 10_000_000_000L, (int?)null), (held.CustomersAllowed, held.RpmLimit, held.TpmLimit, held.MaxConcurrent));
    }

    [Theory]
    [InlineData("""{"rpm_limit":0}""", "rpm_limit")]
    [InlineData("""{"tpm_limit":10000000001}""", "tpm_limit")]
    [InlineData("""{"max_concurrent":-2}""", "max_concurrent")]
    [InlineData("""{"customers_allowed":null}""", "customers_allowed")]
    public async Task Put_LimitOutOfRange_400NamingIt(string body, string field)
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));

        using var response = await gateway.Client.PutAsync("api/orgs/acme/settings", new StringContent(body, Encoding.UTF8, "application/json"));

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_value");
        Assert.Contains($"\"param\":\"{field}\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_UnknownField_400AndNothingChanged()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));
        var org = new OrgCalls();

        using var response = await gateway.Client.PutAsync($"api/orgs/{org.OrgId}/settings",
            new StringContent("""{"mode_default":"cheap","cache_ttl_second":60}""", Encoding.UTF8, "application/json"));
        var read = await gateway.Client.GetStringAsync($"api/orgs/{org.OrgId}/settings");

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "unknown_field");
        Assert.Contains("did you mean 'cache_ttl_seconds'?", await response.Content.ReadAsStringAsync());
        Assert.Contains("\"mode_default\":null", read);
    }

    [Fact]
    public async Task Put_BadValue_400NamingTheField()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));

        using var response = await gateway.Client.PutAsync("api/orgs/acme/settings",
            new StringContent("""{"monthly_token_budget":-1}""", Encoding.UTF8, "application/json"));

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_value");
        Assert.Contains("\"param\":\"monthly_token_budget\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Settings_WithAdminKey_RefusedWithoutItAndServedWithIt()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string> { ["Gateway:Admin:Key"] = "admin-secret" });

        using var get = await gateway.Client.GetAsync("api/orgs/acme/settings");
        // Bodiless: a refusal leaves a request body unread, after which Kestrel may reset the connection under load.
        using var put = await gateway.Client.PutAsync("api/orgs/acme/settings", null);
        using var authorized = new HttpRequestMessage(HttpMethod.Get, "api/orgs/acme/settings");
        authorized.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "admin-secret");
        using var allowed = await gateway.Client.SendAsync(authorized);

        Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, put.StatusCode);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Contains("\"hard_budget\":false", await allowed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Put_OnOneInstance_OtherInstanceAppliesItWithoutRestart()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString };
        await using var first = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        await using var second = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        var org = new OrgCalls();
        using (var before = await org.PostAsync(second, org.NextChat("gpt-4o")))
        {
            Assert.Null(OrgCalls.Header(before, "x-aigw-mode"));
        }

        await org.PutSettingsAsync(first, """{"mode_default":"cheap"}""");
        await org.WaitForSettingsAsync(second, s => s.ModeDefault == "cheap");
        using var after = await org.PostAsync(second, org.NextChat("gpt-4o"));

        Assert.Equal("cheap", OrgCalls.Header(after, "x-aigw-mode"));
        Assert.Equal("gpt-4o-mini", OrgCalls.UpstreamModel(upstream));
    }

    [Fact]
    public async Task Put_CacheDisabled_AppliesAtOnceOnThisInstance()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, """{"cache_enabled":false}""");
        var body = org.NextChat();

        using var first = await org.PostAsync(gateway, body);
        using var second = await org.PostAsync(gateway, body);

        Assert.Equal("bypass", OrgCalls.Header(second, "x-aigw-cache"));
        Assert.Equal(2, upstream.RequestCount);
    }
}
