using System.Net;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Quota;

/// <summary>Customers of one app key (CONTRACT §10.2): their own settings, cache scope, rows and budgets under the org's.</summary>
public sealed class CustomerTests
{
    [Theory]
    [InlineData("embedded")]
    [InlineData("redis+postgres")]
    public async Task OneAppKeyThreeCustomers_EachGetsItsModeCacheScopeRowsAndBudget(string setup)
    {
        await using var database = setup == "embedded" ? null : await TestServices.CreateDatabaseAsync();
        var redis = database is null ? null : new Dictionary<string, string> { ["ConnectionStrings:Redis"] = TestServices.Redis };
        await using var fixture = await VirtualKeyGateways.StartAsync(1, redis, database?.ConnectionString);
        var org = "acme-customers-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.CreateKeyAsync(org, k => k with { MayNameCustomers = true });
        var admin = new AdminClient(fixture.Gateways[0], null);
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org}/customers/cust-a/settings", """{"mode_default":"cheap","monthly_usd_budget":5}""");
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org}/customers/cust-b/settings", """{"mode_default":"smart","monthly_usd_budget":50}""");
        // A budget one call uses up: AUTO takes cust-c's smart model once, then its cheap one.
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org}/customers/cust-c/settings", """{"mode_default":"auto","monthly_usd_budget":0.000001}""");

        using var first = await fixture.PostAsync(key, VirtualKeyGateways.Chat("gpt-4o"), 0, ("x-aigw-customer", "cust-c"));
        Assert.Equal(("auto:smart", "gpt-4o"), (OrgCalls.Header(first, "x-aigw-mode"), OrgCalls.Header(first, "x-aigw-model")));
        await Eventually.UntilAsync(async () => (await admin.GetAsync($"api/orgs/{org}/customers/cust-c/budget")).GetProperty("usd_used").GetDecimal() > 0,
            "cust-c's first call to be counted");

        // The same body from each customer: a miss each (cust-a and cust-c ask the same model), then a hit each.
        var body = VirtualKeyGateways.Chat("gpt-4o");
        var answers = new Dictionary<string, List<(string? Mode, string? Model, string? Cache)>>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var customer in new[] { "cust-a", "cust-b", "cust-c" })
            {
                using var response = await fixture.PostAsync(key, body, 0, ("x-aigw-customer", customer));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                (answers.TryGetValue(customer, out var seen) ? seen : answers[customer] = []).Add(
                    (OrgCalls.Header(response, "x-aigw-mode"), OrgCalls.Header(response, "x-aigw-model"), OrgCalls.Header(response, "x-aigw-cache")));
            }
        }

        Assert.Equal([("cheap", "gpt-4o-mini", "miss"), ("cheap", "gpt-4o-mini", "hit")], answers["cust-a"]);
        Assert.Equal([("smart", "gpt-4o", "miss"), ("smart", "gpt-4o", "hit")], answers["cust-b"]);
        Assert.Equal([("auto:cheap", "gpt-4o-mini", "miss"), ("auto:cheap", "gpt-4o-mini", "hit")], answers["cust-c"]);
        Assert.Equal(4, fixture.UpstreamCalls);

        foreach (var (customer, requests) in new[] { ("cust-a", 2L), ("cust-b", 2L), ("cust-c", 3L) })
        {
            var path = $"api/metrics/ai-performance?org={org}&customer={customer}";
            await Eventually.UntilAsync(async () => (await admin.GetAsync(path)).GetProperty("requests").GetInt64() == requests, $"{customer}'s rows");
            var report = await admin.GetAsync(path);
            Assert.Equal(1, report.GetProperty("cache_hits").GetInt64());
        }

        Assert.Equal(7, (await admin.GetAsync($"api/metrics/ai-performance?org={org}")).GetProperty("requests").GetInt64());
        Assert.Equal(5m, (await admin.GetAsync($"api/orgs/{org}/customers/cust-a/budget")).GetProperty("monthly_usd_budget").GetDecimal());
        Assert.Equal(50m, (await admin.GetAsync($"api/orgs/{org}/customers/cust-b/budget")).GetProperty("monthly_usd_budget").GetDecimal());
    }

    [Fact]
    public async Task CustomerWithBudgetLeft_UnderAHardBudgetOrgWithNothingLeft_Refused()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync();
        var org = "acme-hierarchy-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.CreateKeyAsync(org, k => k with { MayNameCustomers = true });
        var admin = new AdminClient(fixture.Gateways[0], null);
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org}/settings", """{"hard_budget":true,"monthly_usd_budget":0.000001}""");
        await admin.JsonAsync(HttpMethod.Put, $"api/orgs/{org}/customers/cust-rich/settings", """{"monthly_usd_budget":100}""");

        // Admitted while the org's count is under its budget: this call uses all of it.
        using var spends = await fixture.PostAsync(key, VirtualKeyGateways.Chat(), 0, ("x-aigw-customer", "cust-other"));
        await Eventually.UntilAsync(async () => (await admin.GetAsync($"api/orgs/{org}/budget")).GetProperty("usd_used").GetDecimal() > 0.000001m,
            "the org's budget to be used up");
        using var refused = await fixture.PostAsync(key, VirtualKeyGateways.Chat(), 0, ("x-aigw-customer", "cust-rich"));

        Assert.Equal(HttpStatusCode.OK, spends.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(refused, 429, "budget_exceeded");
        Assert.Equal(0m, (await admin.GetAsync($"api/orgs/{org}/customers/cust-rich/budget")).GetProperty("usd_used").GetDecimal());
        Assert.Equal(1, fixture.UpstreamCalls);
    }
}
