using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Prices;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Xunit;
using static AiGateway.Tests.CostLog.CostLogRowTraffic;
using static AiGateway.Tests.Infrastructure.LiveAnswers;

namespace AiGateway.Tests.CostLog;

/// <summary>
/// The cost log's rows as a user reads them, through a real gateway, for each store (Postgres and the embedded one):
/// dedupe roles and savings, attempts of retried calls, the usage chunk and tokens of streams, prices from their
/// effective date, and the daily rollup equal to the sum of the log. Derived classes say where the rows are read from.
/// </summary>
public abstract class CostLogRowTests
{
    /// <summary>Starts a gateway in front of <paramref name="upstream"/> that logs into the store under test.</summary>
    internal abstract Task<TestGateway> StartGatewayAsync(Uri upstream, IDictionary<string, string>? settings = null);

    /// <summary>Every row of <c>ai_performance_logs</c>.</summary>
    internal abstract Task<List<PerfLogRecord>> ReadRowsAsync(TestGateway gateway);

    /// <summary>Every row of <c>ai_cost_daily</c>, in <see cref="DailyCostRow.Key"/> order.</summary>
    internal abstract Task<List<DailyCostRow>> ReadRollupAsync(TestGateway gateway);

    /// <summary>Adds a row to <c>model_prices</c>, as ops would.</summary>
    internal abstract Task InsertPriceAsync(TestGateway gateway, ModelPrice price);

    /// <summary>Store-specific checks of the rollup after the mixed traffic, if any.</summary>
    internal virtual Task AssertRollupInStoreAsync(TestGateway gateway) => Task.CompletedTask;

    [Fact]
    public async Task Dedupe_FollowerJoinsLeader_FollowerRowSavesWhatLeaderRowPays()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            await release.Task.WaitAsync(Patience);
            await WriteCompletionAsync(context.Response, promptTokens: 1237, cachedTokens: 1024, completionTokens: 571);
        });
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress);
        var body = ChatBody("gpt-4o-mini", stream: false);

        var leaderCall = SendAsync(gateway, body);
        await WaitUntilAsync(() => Volatile.Read(ref calls) == 1);
        var followerCall = SendAsync(gateway, body);
        // The follower waits on the leader's answer, which the upstream holds back until both overlap.
        await WaitUntilAsync(() => Subscribers(gateway) == 1);
        release.SetResult();
        using var leader = await leaderCall;
        using var follower = await followerCall;

        // 213 uncached + 1024 cached input tokens, 571 output tokens.
        const decimal cost = (213 * MiniInput + 1024 * MiniCachedInput + 571 * MiniOutput) / 1_000_000m;
        Assert.Equal(1, calls);
        Assert.Equal(("leader", "follower"), (Header(leader, "x-aigw-dedupe"), Header(follower, "x-aigw-dedupe")));
        var rows = await WaitForRowsAsync(gateway, 2);
        var leaderRow = rows.Single(r => r.Id == RequestId(leader));
        var followerRow = rows.Single(r => r.Id != leaderRow.Id);
        Assert.Equal(("leader", cost, (decimal?)null, 1), (leaderRow.DedupeRole, leaderRow.CostUsd, leaderRow.SavedUsd, leaderRow.Attempts));
        Assert.Equal((1237L, 1024L, 571L), (leaderRow.PromptTokens, leaderRow.CachedTokens, leaderRow.CompletionTokens));
        Assert.Equal(("follower", 0m, cost, 0), (followerRow.DedupeRole, followerRow.CostUsd, followerRow.SavedUsd, followerRow.Attempts));
        Assert.NotEqual("hit", followerRow.CacheStatus);
        Assert.Equal(200, followerRow.StatusCode);
        Assert.Equal(cost, decimal.Parse(Header(leader, "x-aigw-cost-usd"), CultureInfo.InvariantCulture));
        Assert.Equal(0m, decimal.Parse(Header(follower, "x-aigw-cost-usd"), CultureInfo.InvariantCulture));
        // Each response names its own row: the follower's is not the leader's.
        Assert.Equal(followerRow.Id, RequestId(follower));
    }

    [Fact]
    public async Task Dedupe_StreamFollowerAsksForUsageLeaderDoesNot_ChunkOnlyForFollowerAndRowsSplitTheCost()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, StreamChunk("{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"},\"finish_reason\":null}", "null"));
            await release.Task.WaitAsync(Patience);
            await ScriptedUpstream.WriteEventAsync(context.Response, StreamChunk("{\"index\":0,\"delta\":{\"content\":\"lo\"},\"finish_reason\":\"stop\"}", "null"));
            await ScriptedUpstream.WriteEventAsync(context.Response, StreamChunk("", "{\"prompt_tokens\":321,\"completion_tokens\":45,\"total_tokens\":366}"));
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress);
        var text = "Stream once for two " + Guid.NewGuid();

        using var leader = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text), completion: HttpCompletionOption.ResponseHeadersRead);
        var leaderReader = new SseReader(await leader.Content.ReadAsStreamAsync());
        var leaderFirst = await leaderReader.ReadEventAsync().WaitAsync(Patience);
        // Same fingerprint (stream_options is not part of it): this one joins the stream in flight.
        using var follower = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text, includeUsage: true), completion: HttpCompletionOption.ResponseHeadersRead);
        var followerReader = new SseReader(await follower.Content.ReadAsStreamAsync());
        var followerFirst = await followerReader.ReadEventAsync().WaitAsync(Patience);
        release.SetResult();
        List<string> leaderEvents = [leaderFirst!, .. await leaderReader.ReadAllAsync().WaitAsync(Patience)];
        List<string> followerEvents = [followerFirst!, .. await followerReader.ReadAllAsync().WaitAsync(Patience)];

        Assert.Equal(1, calls);
        Assert.Equal(("leader", "follower"), (Header(leader, "x-aigw-dedupe"), Header(follower, "x-aigw-dedupe")));
        Assert.Equal("data: [DONE]", leaderEvents[^1]);
        Assert.Equal("data: [DONE]", followerEvents[^1]);
        Assert.DoesNotContain(leaderEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.Single(followerEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        const decimal cost = (321 * MiniInput + 45 * MiniOutput) / 1_000_000m;
        var rows = await WaitForRowsAsync(gateway, 2);
        var leaderRow = rows.Single(r => r.DedupeRole == "leader");
        var followerRow = rows.Single(r => r.DedupeRole == "follower");
        Assert.Equal((cost, (decimal?)null, 321L, 45L, true), (leaderRow.CostUsd, leaderRow.SavedUsd, leaderRow.PromptTokens, leaderRow.CompletionTokens, leaderRow.Stream));
        Assert.Equal((0m, (decimal?)cost, 0, true), (followerRow.CostUsd, followerRow.SavedUsd, followerRow.Attempts, followerRow.Stream));
        Assert.NotEqual("hit", followerRow.CacheStatus);
        Assert.Equal(leaderRow.Id, RequestId(leader));
    }

    [Fact]
    public async Task Retry_Upstream500Then200_RowCountsTwoAttemptsAndOtherCallsOne()
    {
        var seen = new ConcurrentDictionary<string, int>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            if (body.Contains("fail-once", StringComparison.Ordinal) && seen.AddOrUpdate(body, 1, (_, n) => n + 1) == 1)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"error\":{\"message\":\"try again\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                return;
            }

            if (body.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                await WriteStreamAsync(context.Response, promptTokens: 40, completionTokens: 9);
                return;
            }

            await WriteCompletionAsync(context.Response, promptTokens: 40, cachedTokens: 0, completionTokens: 9);
        });
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Upstream:MaxRetries"] = "2",
            ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "10",
        });

        using var retried = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false, text: "fail-once"));
        using var plain = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false));
        using var stream = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text: "fail-once"));
        await stream.Content.ReadAsStringAsync();

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (retried.StatusCode, plain.StatusCode, stream.StatusCode));
        var rows = await WaitForRowsAsync(gateway, 3);
        const decimal cost = (40 * MiniInput + 9 * MiniOutput) / 1_000_000m;
        var retriedRow = rows.Single(r => r.Id == RequestId(retried));
        Assert.Equal((2, 200, cost, (string?)null), (retriedRow.Attempts, retriedRow.StatusCode, retriedRow.CostUsd, retriedRow.Error));
        Assert.Equal(1, rows.Single(r => r.Id == RequestId(plain)).Attempts);
        // A stream is retried before its first byte reaches the client, so it too is one logical call of two attempts.
        var streamRow = rows.Single(r => r.Id == RequestId(stream));
        Assert.Equal((2, 200, cost, false), (streamRow.Attempts, streamRow.StatusCode, streamRow.CostUsd, streamRow.UsageEstimated));
    }

    [Fact]
    public async Task Fallback_PrimaryModelFails_RowsNameAndPriceTheFallbackModelForLeaderAndFollower()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var model = JsonDocument.Parse(await reader.ReadToEndAsync()).RootElement.GetProperty("model").GetString()!;
            models.Enqueue(model);
            if (model == "gpt-4o")
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                return;
            }

            await release.Task.WaitAsync(Patience);
            await WriteCompletionAsync(context.Response, promptTokens: 40, cachedTokens: 0, completionTokens: 9);
        });
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Upstream:MaxRetries"] = "1",
            ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "10",
            ["Gateway:Upstream:FallbackModels:gpt-4o"] = "gpt-4o-mini",
        });
        var body = ChatBody("gpt-4o", stream: false);

        var leaderCall = SendAsync(gateway, body);
        await WaitUntilAsync(() => models.Contains("gpt-4o-mini"));
        var followerCall = SendAsync(gateway, body);
        await WaitUntilAsync(() => Subscribers(gateway) == 1);
        release.SetResult();
        using var leader = await leaderCall;
        using var follower = await followerCall;

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (leader.StatusCode, follower.StatusCode));
        var rows = await WaitForRowsAsync(gateway, 2);
        // Priced as gpt-4o-mini, which answered, not as gpt-4o, which was asked for.
        const decimal cost = (40 * MiniInput + 9 * MiniOutput) / 1_000_000m;
        var leaderRow = rows.Single(r => r.Id == RequestId(leader));
        Assert.Equal(("gpt-4o", "gpt-4o-mini", 3, cost, "bypass", 200), (leaderRow.ModelRequested, leaderRow.ModelUsed, leaderRow.Attempts, leaderRow.CostUsd, leaderRow.CacheStatus, leaderRow.StatusCode));
        var followerRow = rows.Single(r => r.Id == RequestId(follower));
        Assert.Equal(("follower", "gpt-4o-mini", 0m, (decimal?)cost), (followerRow.DedupeRole, followerRow.ModelUsed, followerRow.CostUsd, followerRow.SavedUsd));
    }

    [Fact]
    public async Task Stream_UsageChunk_HiddenUnlessAskedAndRowTokensRightEitherWay()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress);
        var text = "Count my tokens " + Guid.NewGuid();
        // The mock counts the same tokens for the same conversation streamed or not: the plain answer is the reference.
        using var plain = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false, text));
        var reference = ReadUsage(JsonDocument.Parse(await plain.Content.ReadAsStringAsync()).RootElement.GetProperty("usage"));

        // no-store: both streams go upstream (stream_options is not part of the fingerprint, so the second would be a hit).
        using var notAsked = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text), noStore: true);
        var notAskedEvents = await ReadEventsAsync(notAsked);
        using var asked = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text, includeUsage: true), noStore: true);
        var askedEvents = await ReadEventsAsync(asked);

        Assert.Equal("data: [DONE]", notAskedEvents[^1]);
        Assert.DoesNotContain(notAskedEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        var usageEvent = Assert.Single(askedEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.Equal(reference, ReadUsage(JsonDocument.Parse(usageEvent["data: ".Length..]).RootElement.GetProperty("usage")));

        var rows = await WaitForRowsAsync(gateway, 3);
        var cost = MiniCost(reference);
        foreach (var response in new[] { notAsked, asked })
        {
            var row = rows.Single(r => r.Id == RequestId(response));
            Assert.Equal((reference, false, cost, true), (row.Usage, row.UsageEstimated, row.CostUsd, row.Stream));
            Assert.NotNull(row.TtftMs);
        }
    }

    [Fact]
    public async Task Stream_CacheHitReplay_UsageChunkHiddenUnlessAskedAndRowSavesTheCost()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress);
        var text = "Replay my tokens " + Guid.NewGuid();

        using var miss = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text));
        var missEvents = await ReadEventsAsync(miss);
        using var hitNotAsked = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text));
        var hitNotAskedEvents = await ReadEventsAsync(hitNotAsked);
        using var hitAsked = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: true, text, includeUsage: true));
        var hitAskedEvents = await ReadEventsAsync(hitAsked);

        Assert.Equal(("miss", "hit", "hit"), (Header(miss, "x-aigw-cache"), Header(hitNotAsked, "x-aigw-cache"), Header(hitAsked, "x-aigw-cache")));
        Assert.DoesNotContain(missEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        Assert.DoesNotContain(hitNotAskedEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        var usageEvent = Assert.Single(hitAskedEvents, e => e.Contains("\"usage\":{", StringComparison.Ordinal));
        var usage = ReadUsage(JsonDocument.Parse(usageEvent["data: ".Length..]).RootElement.GetProperty("usage"));

        var rows = await WaitForRowsAsync(gateway, 3);
        var missRow = rows.Single(r => r.Id == RequestId(miss));
        Assert.Equal((usage, MiniCost(usage), false), (missRow.Usage, missRow.CostUsd, missRow.UsageEstimated));
        foreach (var hit in new[] { hitNotAsked, hitAsked })
        {
            var row = rows.Single(r => r.Id == RequestId(hit));
            Assert.Equal(("hit", 0m, MiniCost(usage), 0), (row.CacheStatus, row.CostUsd, row.SavedUsd, row.Attempts));
        }
    }

    [Fact]
    public async Task Price_NewerRowAdded_AppliedFromItsEffectiveDateOnly()
    {
        const string model = "aigw-price-probe";
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Log:PriceRefreshSeconds"] = "5" });
        var catalog = gateway.Services.GetRequiredService<PriceCatalog>();
        var start = WholeMilliseconds(DateTimeOffset.UtcNow);
        var first = new ModelPrice(model, 1.1111111m, 0.5555555m, 3.3333333m, start.AddDays(-30));
        var future = new ModelPrice(model, 900m, 900m, 900m, start.AddDays(30));

        using var unpriced = await SendAsync(gateway, ChatBody(model, stream: false));
        await InsertPriceAsync(gateway, first);
        await InsertPriceAsync(gateway, future);
        await Eventually.UntilAsync(() => catalog.Current.Find(model, DateTimeOffset.UtcNow) == first, "the first price read from model_prices");
        using var before = await SendAsync(gateway, ChatBody(model, stream: false));
        var beforeUsage = await ReadBodyUsageAsync(before);

        // In force from a moment after the first call was made and before the second one is.
        var newer = new ModelPrice(model, 2.2222222m, 0.0000001m, 4.4444444m, WholeMilliseconds(DateTimeOffset.UtcNow).AddMilliseconds(1));
        await InsertPriceAsync(gateway, newer);
        await Eventually.UntilAsync(() => catalog.Current.Find(model, DateTimeOffset.UtcNow) == newer, "the newer price read from model_prices");
        using var after = await SendAsync(gateway, ChatBody(model, stream: false));
        var afterUsage = await ReadBodyUsageAsync(after);

        var rows = await WaitForRowsAsync(gateway, 3);
        Assert.Null(rows.Single(r => r.Id == RequestId(unpriced)).CostUsd);
        var beforeRow = rows.Single(r => r.Id == RequestId(before));
        var afterRow = rows.Single(r => r.Id == RequestId(after));
        Assert.True(beforeRow.Ts < newer.EffectiveFrom && newer.EffectiveFrom <= afterRow.Ts, "the price change falls between the two calls");
        Assert.Equal(Cost(first, beforeUsage), beforeRow.CostUsd);
        Assert.Equal(Cost(newer, afterUsage), afterRow.CostUsd);
        Assert.Equal(Cost(newer, afterUsage), decimal.Parse(Header(after, "x-aigw-cost-usd"), CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Rollup_MixedTraffic_EqualsSumOfLog()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress);
        var repeated = ChatBody("gpt-4o-mini", stream: false);
        var repeatedStream = ChatBody("gpt-4o-mini", stream: true);
        var calls = new List<(string Body, string Key, string? Route, string Path, bool Streamed)>
        {
            (repeated, "sk-rollup-a", "alpha", "v1/chat/completions", false),
            (repeated, "sk-rollup-a", "alpha", "v1/chat/completions", false),
            (ChatBody("gpt-4o-mini", stream: false), "sk-rollup-a", "alpha", "v1/chat/completions", false),
            (ChatBody("gpt-4.1-nano", stream: false), "sk-rollup-a", "beta", "v1/chat/completions", false),
            (repeatedStream, "sk-rollup-a", "beta", "v1/chat/completions", true),
            (repeatedStream, "sk-rollup-a", "beta", "v1/chat/completions", true),
            (ChatBody("aigw-unpriced-model", stream: false), "sk-rollup-a", null, "v1/chat/completions", false),
            ("{\"model\":\"text-embedding-3-small\",\"input\":\"embed " + Guid.NewGuid() + "\"}", "sk-rollup-a", "alpha", "v1/embeddings", false),
            (repeated, "sk-rollup-b", "alpha", "v1/chat/completions", false),
            (ChatBody("gpt-4o-mini", stream: true), "sk-rollup-b", null, "v1/chat/completions", true),
        };

        var ids = new List<Guid>();
        foreach (var (body, key, route, path, streamed) in calls)
        {
            using var response = await SendAsync(gateway, body, key: key, route: route, path: path);
            await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            ids.Add(RequestId(response));
        }

        using var refused = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false), key: "sk-rollup-b", route: "alpha", mockStatus: 400);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        ids.Add(RequestId(refused));

        var rows = await WaitForRowsAsync(gateway, ids.Count);
        Assert.Equal(ids.Order(), rows.Select(r => r.Id).Order());
        Assert.Equal(2, rows.Count(r => r.CacheStatus == "hit"));
        Assert.Contains(rows, r => r.CostUsd is null);
        Assert.Equal("http_400", rows.Single(r => r.Id == RequestId(refused)).Error);
        var rollup = await ReadRollupAsync(gateway);
        Assert.Equal(DailyCostRow.FromLog(rows), rollup);
        Assert.Equal(ids.Count, rollup.Sum(r => r.Requests));
        Assert.Equal(rows.Sum(r => r.CostUsd ?? 0m), rollup.Sum(r => r.CostUsd));
        Assert.True(rollup.Sum(r => r.SavedUsd) > 0);
        await AssertRollupInStoreAsync(gateway);
    }

    /// <summary>Waits (bounded) until the log holds <paramref name="count"/> rows, then asserts it holds exactly that many.</summary>
    [Fact]
    public async Task Refusals_401_400_413_429_EachNamedByItsRequestIdAndLogged()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            return WriteCompletionAsync(context.Response, promptTokens: 10, cachedTokens: 0, completionTokens: 5);
        });
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = "sk-upstream-refusals",
            ["Gateway:MaxRequestBytes"] = "4096",
        });
        var key = await CreateKeyAsync(gateway, "acme-refusals");
        var brokeKey = await CreateKeyAsync(gateway, "broke-refusals");
        using (var put = await gateway.Client.PutAsync("api/orgs/broke-refusals/settings",
            new StringContent("""{"monthly_usd_budget":0,"hard_budget":true}""", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        using var unauthenticated = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false), key: "aigw_unknown-key");
        using var unparsable = await SendAsync(gateway, "{\"model\": ", key: key);
        using var tooLarge = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false, text: new string('x', 8192)), key: key);
        using var overBudget = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false), key: brokeKey);

        var refusals = new[] { (unauthenticated, 401), (unparsable, 400), (tooLarge, 413), (overBudget, 429) };
        foreach (var (response, status) in refusals)
        {
            Assert.Equal(status, (int)response.StatusCode);
        }

        var rows = await WaitForRowsAsync(gateway, refusals.Length);
        foreach (var (response, status) in refusals)
        {
            var row = rows.Single(r => r.Id == RequestId(response));
            Assert.Equal((status, "http_" + status, "/v1/chat/completions"), (row.StatusCode, row.Error, row.Endpoint));
        }

        Assert.Equal("unauthenticated", rows.Single(r => r.Id == RequestId(unauthenticated)).OrgId);
        Assert.Equal("acme-refusals", rows.Single(r => r.Id == RequestId(tooLarge)).OrgId);
        Assert.Equal("broke-refusals", rows.Single(r => r.Id == RequestId(overBudget)).OrgId);
        Assert.Equal(0, Volatile.Read(ref calls));
    }

    [Fact]
    public async Task Unauthenticated_ManyRefusals_EachNamedButRowsWrittenOnlyWithinTheRate()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(context => WriteCompletionAsync(context.Response, 1, 0, 1));
        await using var gateway = await StartGatewayAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = "sk-upstream-flood",
            // A bucket of one row, refilled every ten seconds: twenty refusals sent back to back cannot all be written.
            ["Gateway:Log:UnauthenticatedRowsPerMinute"] = "6",
        });
        const int refusals = 20;
        var ids = new HashSet<Guid>();
        for (var i = 0; i < refusals; i++)
        {
            using var response = await SendAsync(gateway, ChatBody("gpt-4o-mini", stream: false), key: "aigw_flood-" + i);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            ids.Add(RequestId(response));
        }

        var skipped = gateway.Services.GetRequiredService<CostLogMiddleware>().SkippedUnauthenticatedRows;
        Assert.Equal(refusals, ids.Count);
        Assert.InRange(skipped, 1, refusals - 1);
        var rows = await WaitForRowsAsync(gateway, refusals - (int)skipped);
        Assert.All(rows, row => Assert.Equal(("unauthenticated", 401), (row.OrgId, row.StatusCode)));
        Assert.Subset(ids, rows.Select(r => r.Id).ToHashSet());
    }

    private static async Task<string> CreateKeyAsync(TestGateway gateway, string org)
    {
        var key = ApiKeyHasher.NewVirtualKey();
        await gateway.Services.GetRequiredService<IApiKeyStore>().CreateAsync(new ApiKeyRecord(ApiKeyHasher.Hash(key), org, "app", DateTime.UtcNow, null), CancellationToken.None);
        return key;
    }

    internal async Task<List<PerfLogRecord>> WaitForRowsAsync(TestGateway gateway, int count)
    {
        List<PerfLogRecord> rows = [];
        await Eventually.UntilAsync(async () => (rows = await ReadRowsAsync(gateway)).Count >= count, $"{count} rows in ai_performance_logs");
        Assert.Equal(count, rows.Count);
        return rows;
    }
}
