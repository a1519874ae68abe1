using System.Net;
using AiGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Redis;

/// <summary>
/// Two gateways on a three-master Redis Cluster (ops/redis.sh starts it): what crosses instances through Redis — cache,
/// dedupe, purge, limits, budgets — works when keys are spread over slots, and no script touches two slots (Redis Cluster
/// refuses such a script with CROSSSLOT, which would fail these calls).
/// </summary>
public sealed class RedisClusterTests
{
    private static Dictionary<string, string> Cluster => new() { ["ConnectionStrings:Redis"] = TestServices.RedisCluster };

    [Fact]
    public async Task Cache_AnswerStoredByOneInstance_HitOnTheOtherUntilPurged()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(instances: 2, Cluster);
        var org = "cluster-cache-" + Guid.NewGuid().ToString("N")[..8];
        var key = await fixture.CreateKeyAsync(org);
        var body = VirtualKeyGateways.Chat();

        using var miss = await fixture.PostAsync(key, body, instance: 0);
        using var hit = await fixture.PostAsync(key, body, instance: 1);
        using (var purge = await fixture.Gateways[1].Client.DeleteAsync($"api/cache?org={org}"))
        {
            Assert.True(purge.IsSuccessStatusCode, await purge.Content.ReadAsStringAsync());
        }

        using var afterPurge = await fixture.PostAsync(key, body, instance: 0);

        Assert.Equal(("miss", "hit", "miss"), (Header(miss, "x-aigw-cache"), Header(hit, "x-aigw-cache"), Header(afterPurge, "x-aigw-cache")));
        Assert.Equal(2, fixture.UpstreamCalls);
    }

    [Fact]
    public async Task Dedupe_IdenticalCallsOnBothInstances_OneUpstreamCall()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(instances: 2, Cluster);
        var key = await fixture.CreateKeyAsync("cluster-dedupe-" + Guid.NewGuid().ToString("N")[..8]);
        var body = VirtualKeyGateways.Chat();
        fixture.Hold = true;

        var leader = fixture.PostAsync(key, body, instance: 0);
        await Eventually.UntilAsync(() => fixture.Waiting == 1, "the leader's call to reach the upstream");
        var follower = fixture.PostAsync(key, body, instance: 1);
        // The follower has joined once the second instance reads a copy of the leader's answer; without Redis it would
        // have made an upstream call of its own instead.
        await Eventually.UntilAsync(() => follower.IsCompleted || fixture.UpstreamCalls > 1 || ReadersOn(fixture.Gateways[1]) > 0, "the second call to join or call upstream");
        fixture.Release();
        using var leaderAnswer = await leader;
        using var followerAnswer = await follower;

        Assert.Equal(("leader", "follower"), (Header(leaderAnswer, "x-aigw-dedupe"), Header(followerAnswer, "x-aigw-dedupe")));
        Assert.Equal(1, fixture.UpstreamCalls);
    }

    [Fact]
    public async Task LimitsAndBudgets_SharedAcrossInstances()
    {
        await using var fixture = await VirtualKeyGateways.StartAsync(instances: 2, Cluster);
        var limited = await fixture.CreateKeyAsync("cluster-rpm-" + Guid.NewGuid().ToString("N")[..8], k => k with { RpmLimit = 10, MaxConcurrent = 5 });
        var budgeted = await fixture.CreateKeyAsync("cluster-budget-" + Guid.NewGuid().ToString("N")[..8], k => k with { MonthlyUsdBudget = 0.0000001m });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var response = await fixture.PostAsync(limited, VirtualKeyGateways.Chat(), instance: i % 2);
            statuses.Add(response.StatusCode);
        }

        using var first = await fixture.PostAsync(budgeted, VirtualKeyGateways.Chat(), instance: 0);
        using var second = await fixture.PostAsync(budgeted, VirtualKeyGateways.Chat(), instance: 1);

        Assert.Equal(10, statuses.Count(s => s == HttpStatusCode.OK));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // The budget is smaller than one call: the first passes (something was left), the second finds it used up.
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(second, 429, "budget_exceeded");
    }

    private static int ReadersOn(TestGateway gateway) =>
        gateway.Services.GetRequiredService<Transforms.Relay.LiveResponseRegistry>().Inflight.Sum(l => l.SubscriberCount);

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : "";
}
