using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary><c>GET</c>/<c>PUT /api/orgs/{org}/customers/{customer}/settings</c> and <c>…/budget</c> (CONTRACT §10.2) on real gateways.</summary>
public sealed class CustomerSettingsAdminApiTests
{
    [Fact]
    public async Task Get_CustomerWithoutRow_EveryColumnNullSoTheOrgsApplies()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));

        using var json = JsonDocument.Parse(await gateway.Client.GetStringAsync("api/orgs/acme/customers/cust-17/settings"));

        Assert.Equal(
            """{"org_id":"acme","customer_id":"cust-17","mode_default":null,"client_mode_override":null,"cache_enabled":null,"cache_ttl_seconds":null,"dedupe_enabled":null,"monthly_token_budget":null,"monthly_usd_budget":null,"hard_budget":null,"rpm_limit":null,"tpm_limit":null,"max_concurrent":null,"payload_logging":null}""",
            json.RootElement.GetRawText());
    }

    [Theory]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task Put_PartialUpdates_NamedColumnsChangeNullInherits(string store)
    {
        await using var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            database is null ? null : new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString });
        var admin = new AdminClient(gateway, null);

        await admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/customers/cust.17:eu/settings",
            """{"mode_default":"smart","monthly_usd_budget":20.0000000001,"hard_budget":true,"rpm_limit":30,"tpm_limit":5000,"max_concurrent":2,"cache_enabled":false}""");
        var second = await admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/customers/cust.17:eu/settings", """{"hard_budget":null,"rpm_limit":null,"customer_id":"cust.17:eu"}""");
        var read = await admin.GetAsync("api/orgs/acme/customers/cust.17:eu/settings");
        var other = await admin.GetAsync("api/orgs/acme/customers/cust-18/settings");
        var org = await admin.GetAsync("api/orgs/acme/settings");

        Assert.Equal(second.GetRawText(), read.GetRawText());
        Assert.Equal("smart", second.GetProperty("mode_default").GetString());
        Assert.Equal("20.0000000001", second.GetProperty("monthly_usd_budget").GetRawText());
        Assert.Equal((5000, 2), (second.GetProperty("tpm_limit").GetInt32(), second.GetProperty("max_concurrent").GetInt32()));
        Assert.False(second.GetProperty("cache_enabled").GetBoolean());
        Assert.Equal(JsonValueKind.Null, second.GetProperty("hard_budget").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("rpm_limit").ValueKind);
        Assert.Equal(JsonValueKind.Null, second.GetProperty("client_mode_override").ValueKind);
        // Another customer and the org itself are untouched.
        Assert.Equal(JsonValueKind.Null, other.GetProperty("mode_default").ValueKind);
        Assert.Equal(JsonValueKind.Null, org.GetProperty("mode_default").ValueKind);
    }

    [Theory]
    [InlineData("""{"mode_default":"cheap","customers_allowed":true}""", 400, "unknown_field")]
    [InlineData("""{"mode_defualt":"cheap"}""", 400, "unknown_field")]
    [InlineData("""{"rpm_limit":0}""", 400, "invalid_value")]
    [InlineData("""{"monthly_token_budget":-1}""", 400, "invalid_value")]
    [InlineData("""{"customer_id":"cust-2"}""", 400, "invalid_value")]
    [InlineData("""{"org_id":"other"}""", 400, "invalid_value")]
    [InlineData("""{"mode_default":""", 400, "invalid_json")]
    public async Task Put_BadBody_RefusedAndNothingChanged(string body, int status, string code)
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));
        var admin = new AdminClient(gateway, null);

        using var response = await admin.SendAsync(HttpMethod.Put, "api/orgs/acme/customers/cust-1/settings", body);
        var read = await admin.GetAsync("api/orgs/acme/customers/cust-1/settings");

        await OpenAiErrorAssert.IsErrorAsync(response, status, code);
        Assert.Equal(JsonValueKind.Null, read.GetProperty("mode_default").ValueKind);
        Assert.Empty(await admin.AuditAsync());
    }

    [Theory]
    [InlineData("GET", "settings")]
    [InlineData("PUT", "settings")]
    [InlineData("GET", "budget")]
    public async Task AnyCustomerRoute_InvalidCustomerId_400InvalidCustomer(string method, string leaf)
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));
        var admin = new AdminClient(gateway, null);

        foreach (var customer in new[] { "cust%2017", "cust%7B17%7D", new string('c', 65), "caf%C3%A9" })
        {
            using var response = await admin.SendAsync(new HttpMethod(method), $"api/orgs/acme/customers/{customer}/{leaf}", method == "PUT" ? """{"rpm_limit":5}""" : null);
            await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_customer");
        }

        Assert.Empty(await admin.AuditAsync());
    }

    [Fact]
    public async Task Put_OnOneInstance_OtherInstanceHoldsItWithoutRestart()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString };
        await using var first = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), settings);
        await using var second = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), settings);
        var snapshot = second.Services.GetRequiredService<OrgSettingsSnapshot>();
        Assert.Null(snapshot.FindCustomer("acme", "cust-5"));

        await new AdminClient(first, null).JsonAsync(HttpMethod.Put, "api/orgs/acme/customers/cust-5/settings", """{"mode_default":"cheap","rpm_limit":12}""");

        // On the instance that took it at once; on the other after its refresh (every 2 s).
        Assert.Equal("cheap", first.Services.GetRequiredService<OrgSettingsSnapshot>().FindCustomer("acme", "cust-5")?.ModeDefault);
        await Eventually.UntilAsync(() => snapshot.FindCustomer("acme", "cust-5") is { ModeDefault: "cheap", RpmLimit: 12 }, "the customer's settings to reach the other instance");
        Assert.Equal("cheap", snapshot.For("acme", "cust-5").ModeDefault);
    }

    [Fact]
    public async Task Start_StoredCustomerRows_LoadedBeforeTheFirstCall()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString };
        await using (var first = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), settings))
        {
            await new AdminClient(first, null).JsonAsync(HttpMethod.Put, "api/orgs/acme/customers/cust-6/settings", """{"dedupe_enabled":false}""");
        }

        await using var restarted = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), settings);

        Assert.False(restarted.Services.GetRequiredService<OrgSettingsSnapshot>().For("acme", "cust-6").DedupeEnabled);
    }

    [Fact]
    public async Task Budget_Customer_ItsOwnBudgetsElseTheOrgs()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"));
        var admin = new AdminClient(gateway, null);
        await admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"monthly_token_budget":1000000,"monthly_usd_budget":100,"hard_budget":true}""");
        await admin.JsonAsync(HttpMethod.Put, "api/orgs/acme/customers/cust-9/settings", """{"monthly_usd_budget":5}""");

        var own = await admin.GetAsync("api/orgs/acme/customers/cust-9/budget");
        var inherited = await admin.GetAsync("api/orgs/acme/customers/cust-10/budget");

        Assert.Equal(
            ["org_id", "customer_id", "month", "tokens_used", "usd_used", "monthly_token_budget", "monthly_usd_budget", "remaining_share", "hard_budget"],
            own.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("acme", "cust-9"), (own.GetProperty("org_id").GetString(), own.GetProperty("customer_id").GetString()));
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture), own.GetProperty("month").GetString());
        Assert.Equal((5m, 1_000_000L, true), (own.GetProperty("monthly_usd_budget").GetDecimal(), own.GetProperty("monthly_token_budget").GetInt64(), own.GetProperty("hard_budget").GetBoolean()));
        Assert.Equal(100m, inherited.GetProperty("monthly_usd_budget").GetDecimal());
        Assert.Equal(JsonValueKind.Number, own.GetProperty("remaining_share").ValueKind);
    }

    [Fact]
    public async Task Budget_AfterACallForTheCustomer_CountsItForThatCustomerOnly()
    {
        await using var upstream = await MockOpenAi.MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var admin = new AdminClient(gateway, null);
        var org = new OrgCalls();
        await org.PutSettingsAsync(gateway, """{"customers_allowed":true}""");

        using var call = await org.PostAsync(gateway, org.NextChat(), ("x-aigw-customer", "cust-a"));
        var tokens = await OrgCalls.TokensAsync(call);

        await Eventually.UntilAsync(async () => (await admin.GetAsync($"api/orgs/{org.OrgId}/budget")).GetProperty("tokens_used").GetInt64() == tokens,
            "the call to be counted for the org");
        Assert.Equal(tokens, (await admin.GetAsync($"api/orgs/{org.OrgId}/customers/cust-a/budget")).GetProperty("tokens_used").GetInt64());
        Assert.Equal(0, (await admin.GetAsync($"api/orgs/{org.OrgId}/customers/cust-b/budget")).GetProperty("tokens_used").GetInt64());
    }
}
