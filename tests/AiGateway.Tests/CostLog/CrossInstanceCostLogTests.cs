using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.CostLog;

/// <summary>The cost log of a call deduped across two instances (one Redis, one Postgres): the follower saves what the leader pays.</summary>
public sealed class CrossInstanceCostLogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dedupe_FollowerOnOtherInstance_RowSavesWhatLeaderRowPays()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            await release.Task.WaitAsync(Patience);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(
                "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]," +
                "\"usage\":{\"prompt_tokens\":1000,\"completion_tokens\":100,\"total_tokens\":1100}}");
        });
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var first = await StartAsync(upstream, database);
        await using var second = await StartAsync(upstream, database);
        var body = $"{{\"model\":\"gpt-4o-mini\",\"stream\":false,\"messages\":[{{\"role\":\"user\",\"content\":\"across {Guid.NewGuid()}\"}}]}}";

        var onFirst = first.Client.SendAsync(Chat(body));
        await Eventually.UntilAsync(() => Volatile.Read(ref calls) == 1, "the leader's upstream call");
        var onSecond = second.Client.SendAsync(Chat(body));
        await Eventually.UntilAsync(() => Subscribers(second) == 1, "the follower waiting on the other instance");
        release.SetResult();
        using var leader = await onFirst;
        using var follower = await onSecond;

        // 1000 input tokens at 0.15 and 100 output tokens at 0.60 per 1M (gpt-4o-mini).
        const decimal cost = 0.00021m;
        Assert.Equal(("leader", "follower"), (leader.Headers.GetValues("x-aigw-dedupe").Single(), follower.Headers.GetValues("x-aigw-dedupe").Single()));
        List<PerfLogRecord> rows = [];
        await Eventually.UntilAsync(async () => (rows = await PerfLogRows.ReadAllAsync(database.ConnectionString)).Count >= 2, "two rows");
        Assert.Equal(2, rows.Count);
        var leaderRow = rows.Single(r => r.DedupeRole == "leader");
        var followerRow = rows.Single(r => r.DedupeRole == "follower");
        Assert.Equal((cost, (decimal?)null, 1), (leaderRow.CostUsd, leaderRow.SavedUsd, leaderRow.Attempts));
        Assert.Equal((0m, (decimal?)cost, 0), (followerRow.CostUsd, followerRow.SavedUsd, followerRow.Attempts));
        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(database.ConnectionString);
        Assert.Equal(fromLog, rollup);
    }

    private static Task<TestGateway> StartAsync(ScriptedUpstream upstream, TestServices.TempDatabase database) =>
        TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        });

    private static HttpRequestMessage Chat(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-cross-cost");
        // Not a cache hit on the second instance: only the in-flight join is under test.
        request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        return request;
    }

    private static int Subscribers(TestGateway gateway) =>
        gateway.Services.GetRequiredService<LiveResponseRegistry>().Inflight.Sum(live => live.SubscriberCount);
}
