using System.Globalization;
using System.Net;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Quota;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Quota;

/// <summary>Key policy, rate limits and budgets (CONTRACT §10.3, §10.4) on real gateways, in process and through Redis.</summary>
public sealed class QuotaTests
{
    [Fact]
    public async Task KeyPolicy_ModelNotAllowedExpiredKeyAndCustomerWithoutRight_RefusedBeforeTheUpstream()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync();
        var minis = await fixture.CreateKeyAsync("acme-policy", k => k with { Models = ["gpt-4o-mini*", "o3"] });
        var expired = await fixture.CreateKeyAsync("acme-policy", k => k with { ExpiresAt = DateTime.UtcNow.AddMinutes(-1) });

        using var notAllowed = await fixture.PostAsync(minis, VirtualKeyGateways.Chat("gpt-4o"));
        using var allowedByGlob = await fixture.PostAsync(minis, VirtualKeyGateways.Chat("gpt-4o-mini-2024-07-18"));
        // Checked on the model sent upstream: the cheap mode turns gpt-4o into gpt-4o-mini, which the key may call.
        using var allowedAfterRewrite = await fixture.PostAsync(minis, VirtualKeyGateways.Chat("gpt-4o"), 0, ("x-aigw-mode", "cheap"));
        using var pastExpiry = await fixture.PostAsync(expired, VirtualKeyGateways.Chat());
        using var customerWithoutRight = await fixture.PostAsync(minis, VirtualKeyGateways.Chat(), 0, ("x-aigw-customer", "cust-17"));
        using var malformedCustomer = await fixture.PostAsync(minis, VirtualKeyGateways.Chat(), 0, ("x-aigw-customer", "cust 17!"));

        await OpenAiErrorAssert.IsErrorAsync(notAllowed, 403, "model_not_allowed");
        await OpenAiErrorAssert.IsErrorAsync(pastExpiry, 401, "key_expired");
        await OpenAiErrorAssert.IsErrorAsync(customerWithoutRight, 403, "customer_not_allowed");
        await OpenAiErrorAssert.IsErrorAsync(malformedCustomer, 400, "invalid_customer");
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (allowedByGlob.StatusCode, allowedAfterRewrite.StatusCode));
        Assert.Equal(2, fixture.UpstreamCalls);
    }

    [Fact]
    public async Task Rpm30_SharedByTwoInstances_ABurstOfExactly30ThenRefusedUntilTheBucketRefills()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(instances: 2, new Dictionary<string, string> { ["ConnectionStrings:Redis"] = TestServices.Redis });
        var key = await fixture.CreateKeyAsync("acme-rpm-" + Guid.NewGuid().ToString("N")[..8], k => k with { RpmLimit = 30 });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 30; i++)
        {
            using var response = await fixture.PostAsync(key, VirtualKeyGateways.Chat(), instance: i % 2);
            statuses.Add(response.StatusCode);
        }

        using var refused = await fixture.PostAsync(key, VirtualKeyGateways.Chat(), instance: 1);

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        await OpenAiErrorAssert.IsErrorAsync(refused, 429, "rate_limit_exceeded");
        Assert.Equal("requests", await OpenAiErrorAssert.TypeAsync(refused));
        Assert.Equal("true", Header(refused, "x-should-retry"));
        // 30 a minute: the bucket gains a request every 2 seconds.
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 2);
        Assert.Equal(30, fixture.UpstreamCalls);

        // It refills: a call passes again once the bucket has a whole request (waited for, not timed).
        await Eventually.UntilAsync(async () =>
        {
            using var again = await fixture.PostAsync(key, VirtualKeyGateways.Chat(), instance: 0);
            return again.StatusCode == HttpStatusCode.OK;
        }, "a call to pass once the bucket refilled");
    }

    [Fact]
    public async Task RedisDown_LimitsHoldPerInstanceAndNoCallFails()
    {
        using var redis = await OwnedRedisServer.StartAsync();
        await using var fixture = await VirtualKeyGateways.StartAsync(instances: 1, new Dictionary<string, string> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        var key = await fixture.CreateKeyAsync("acme-redis-down", k => k with { RpmLimit = 3 });
        redis.Kill();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await fixture.PostAsync(key, VirtualKeyGateways.Chat());
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task Tpm_ReservationThatDoesNotFitRefused_SettlingFreesTheDifference()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync();
        // Each call asks for up to 1,000 output tokens, so it reserves more than 1,000 of the 1,800; it uses 50.
        var key = await fixture.CreateKeyAsync("acme-tpm", k => k with { TpmLimit = 1_800 });
        fixture.Hold = true;

        var first = fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 1_000));
        await Eventually.UntilAsync(() => fixture.Waiting == 1, "the first call to reach the upstream");
        using var second = await fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 1_000));
        fixture.Release();
        using var firstAnswer = await first;
        using var third = await fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 1_000));
        using var never = await fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 5_000));

        Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(second, 429, "rate_limit_exceeded");
        Assert.Equal(("tokens", "true"), (await OpenAiErrorAssert.TypeAsync(second), Header(second, "x-should-retry")));
        // The first call settled to its 50 tokens: the third fits where the second did not.
        Assert.Equal(HttpStatusCode.OK, third.StatusCode);
        // An estimate beyond the limit itself can never pass: the SDKs must not retry it.
        await OpenAiErrorAssert.IsErrorAsync(never, 429, "rate_limit_exceeded");
        Assert.Equal("false", Header(never, "x-should-retry"));
        Assert.Equal(2, fixture.UpstreamCalls);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task KeyBudgetFittingTen_100ConcurrentCalls_AtMostTenPlusOneThrough(int instances)
    {
        var redis = instances > 1 ? new Dictionary<string, string> { ["ConnectionStrings:Redis"] = TestServices.Redis } : null;
        await using var fixture = await VirtualKeyGateways.StartAsync(instances, redis);
        var prices = fixture.Gateways[0].Services.GetRequiredService<PriceCatalog>();
        var perCall = prices.Cost("gpt-4o-mini", DateTimeOffset.UtcNow, new(VirtualKeyGateways.PromptTokens, 0, VirtualKeyGateways.CompletionTokens))!.Value;
        var org = "acme-budget-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.CreateKeyAsync(org, k => k with { MonthlyUsdBudget = 10 * perCall });
        fixture.Hold = true;

        // Every call reserves at least its real cost (its prompt's tokens by the tokenizer are at least 10, and it asks
        // for the 40 output tokens it uses): the bound the gateway guarantees is then the budget plus one call.
        var calls = Enumerable.Range(0, 100).Select(i => fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 40), instance: i % instances)).ToList();
        await Eventually.UntilAsync(() => fixture.Waiting == fixture.UpstreamCalls && calls.Count(c => c.IsCompleted) + fixture.Waiting == 100,
            "every call either refused or held at the upstream");
        fixture.Release();
        var answers = await Task.WhenAll(calls);

        var passed = answers.Count(a => a.StatusCode == HttpStatusCode.OK);
        Assert.InRange(passed, 1, 11);
        Assert.Equal(passed, fixture.UpstreamCalls);
        foreach (var refused in answers.Where(a => a.StatusCode != HttpStatusCode.OK))
        {
            await OpenAiErrorAssert.IsErrorAsync(refused, 429, "budget_exceeded");
        }

        var meter = fixture.Gateways[0].Services.GetRequiredService<BudgetMeter>();
        await Eventually.UntilAsync(async () => (await meter.SpentAsync(SpendAccount.Key(org, KeyId(key)), DateTimeOffset.UtcNow, default)).Tokens == passed * 50,
            "the calls settled to their real usage");
        var spent = await meter.SpentAsync(SpendAccount.Key(org, KeyId(key)), DateTimeOffset.UtcNow, default);
        Assert.True(spent.Usd <= 11 * perCall, $"spent {spent.Usd} against a budget of {10 * perCall}");
        foreach (var answer in answers)
        {
            answer.Dispose();
        }
    }

    [Fact]
    public async Task RateLimitHeaders_AfterNCalls_NameTheTightestLimit()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(settings: new Dictionary<string, string>
        {
            ["Gateway:Routes:reports:RpmLimit"] = "100",
        });
        // The key's 6 a minute is tighter than the route's 100: it is the one the headers name.
        var key = await fixture.CreateKeyAsync("acme-headers", k => k with { RpmLimit = 6, TpmLimit = 10_000 });
        var started = DateTimeOffset.UtcNow;

        HttpResponseMessage? last = null;
        for (var i = 0; i < 4; i++)
        {
            last?.Dispose();
            last = await fixture.PostAsync(key, VirtualKeyGateways.Chat(maxTokens: 40), 0, ("x-aigw-route", "reports"));
            Assert.Equal(HttpStatusCode.OK, last.StatusCode);
        }

        // A request comes back every 10 s: however slow this machine, at most that many have.
        var refilled = (int)((DateTimeOffset.UtcNow - started).TotalSeconds / 10);
        using (last)
        {
            Assert.Equal("6", Header(last!, "x-ratelimit-limit-requests"));
            Assert.InRange(int.Parse(Header(last!, "x-ratelimit-remaining-requests"), CultureInfo.InvariantCulture), 2, 2 + refilled);
            Assert.EndsWith("s", Header(last!, "x-ratelimit-reset-requests"));
            Assert.Equal("10000", Header(last!, "x-ratelimit-limit-tokens"));
            Assert.InRange(long.Parse(Header(last!, "x-ratelimit-remaining-tokens"), CultureInfo.InvariantCulture), 1, 9_999);
        }
    }

    [Fact]
    public async Task RouteLimit_AppliesPerOrg()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(settings: new Dictionary<string, string>
        {
            ["Gateway:Routes:tight:MaxConcurrent"] = "1",
        });
        var orgA = await fixture.CreateKeyAsync("acme-route-a");
        var orgB = await fixture.CreateKeyAsync("acme-route-b");
        fixture.Hold = true;

        var held = fixture.PostAsync(orgA, VirtualKeyGateways.Chat(), 0, ("x-aigw-route", "tight"));
        await Eventually.UntilAsync(() => fixture.Waiting == 1, "org A's call to be running");
        using var sameOrg = await fixture.PostAsync(orgA, VirtualKeyGateways.Chat(), 0, ("x-aigw-route", "tight"));
        var otherOrg = fixture.PostAsync(orgB, VirtualKeyGateways.Chat(), 0, ("x-aigw-route", "tight"));
        await Eventually.UntilAsync(() => fixture.Waiting == 2, "org B's call to be running beside A's");
        fixture.Release();
        using var heldAnswer = await held;
        using var otherAnswer = await otherOrg;

        await OpenAiErrorAssert.IsErrorAsync(sameOrg, 429, "rate_limit_exceeded");
        Assert.Equal("concurrency", await OpenAiErrorAssert.TypeAsync(sameOrg));
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (heldAnswer.StatusCode, otherAnswer.StatusCode));
    }

    private static string KeyId(string key) => Transforms.Identity.ApiKeyHasher.Hash(key)[..12];

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : throw new Xunit.Sdk.XunitException($"no {name} header");
}
