using System.Text.Json;
using AiGateway.Tests.CostLog;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary>
/// <c>GET /api/metrics/ai-performance</c> on Postgres and on the embedded store: every figure equals the one computed
/// independently from the rows the test wrote through the gateway's own log store (log and rollup together).
/// </summary>
public sealed class AiPerformanceEndpointTests
{
    private static readonly DateTimeOffset Start = MetricsRows.Start;

    public static TheoryData<string, string?, string?, string?, int?, int?> Filters => new()
    {
        // store, org, route, model, from and to as minutes after Start (null = open)
        { "postgres", null, null, null, null, null },
        { "postgres", "org-b", null, null, null, null },
        { "postgres", null, "search.rank", null, null, null },
        { "postgres", null, null, "gpt-4o-mini", null, null },
        { "postgres", null, "", null, null, null },
        { "postgres", null, null, null, (24 * 60) + 390, (3 * 24 * 60) + 135 },
        { "postgres", null, null, null, (24 * 60) + 180, (24 * 60) + 1200 },
        { "postgres", null, null, null, 2 * 24 * 60, null },
        { "postgres", null, null, null, null, (2 * 24 * 60) + 720 },
        { "postgres", "org-a", "dominus.analyze", "gpt-4o", 720, (3 * 24 * 60) + 720 },
        { "sqlite", null, null, null, null, null },
        { "sqlite", "org-b", null, null, null, null },
        { "sqlite", null, "search.rank", null, null, null },
        { "sqlite", null, null, "gpt-4o-mini", null, null },
        { "sqlite", null, null, null, (24 * 60) + 390, (3 * 24 * 60) + 135 },
        { "sqlite", null, null, null, (24 * 60) + 180, (24 * 60) + 1200 },
        { "sqlite", "org-a", "dominus.analyze", "gpt-4o", 720, (3 * 24 * 60) + 720 },
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Get_GeneratedRows_EveryFigureMatchesTheRows(string store, string? org, string? route, string? model, int? fromMinutes, int? toMinutes)
    {
        var rows = MetricsRows.Generate(600);
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        DateTimeOffset? from = fromMinutes is { } f ? Start.AddMinutes(f) : null;
        DateTimeOffset? to = toMinutes is { } t ? Start.AddMinutes(t) : null;
        // An empty route filter means no filter, as an empty form field does.
        var expected = ExpectedMetrics.Filter(rows, org, route is "" ? null : route, model, from, to);

        var report = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance" + MetricsApi.Query(org, route, model, from, to));

        Assert.NotEmpty(expected);
        AssertTotals(expected, report);
        AssertByModel(expected, report.GetProperty("by_model"));
        AssertByRoute(expected, report.GetProperty("by_route"));
        AssertTopExpensive(expected, report.GetProperty("top_expensive"));
        AssertSlowestRoutes(expected, report.GetProperty("slowest_routes"));
        AssertMostCalledRoutes(expected, report.GetProperty("most_called_routes"));
    }

    [Theory]
    [InlineData("postgres", null, 5)]
    [InlineData("postgres", 2, 2)]
    [InlineData("postgres", 100, 9)]
    [InlineData("sqlite", null, 5)]
    [InlineData("sqlite", 7, 7)]
    public async Task Get_TopParameter_ListsThatManySlowestAndMostCalledRoutes(string store, int? top, int listed)
    {
        // Nine routes: more than the default of five.
        var rows = MetricsRows.Generate(700, seed: 3);
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].Route = i % 9 == 8 ? null : $"route.{i % 9}";
        }

        await using var setup = await MetricsGateway.StartAsync(store, rows);

        var report = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance" + (top is { } n ? $"?top={n}" : ""));

        Assert.Equal(listed, report.GetProperty("slowest_routes").GetArrayLength());
        Assert.Equal(listed, report.GetProperty("most_called_routes").GetArrayLength());
        AssertSlowestRoutes(rows, report.GetProperty("slowest_routes"), listed);
        AssertMostCalledRoutes(rows, report.GetProperty("most_called_routes"), listed);
        Assert.Equal(9, report.GetProperty("by_route").GetArrayLength());
    }

    [Fact]
    public async Task Get_RealTraffic_CountsHitsAndCostOfTheCalls()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(database.ConnectionString));
        var costs = new List<decimal>();
        for (var i = 0; i < 3; i++)
        {
            var body = MetricsTraffic.ChatBody("gpt-4o-mini", stream: false);
            using var miss = await MetricsTraffic.SendAsync(gateway, body, "metrics.real");
            costs.Add(decimal.Parse(miss.Headers.GetValues("x-aigw-cost-usd").Single(), System.Globalization.CultureInfo.InvariantCulture));
            using var hit = await MetricsTraffic.SendAsync(gateway, body, "metrics.real");
            Assert.Equal("hit", hit.Headers.GetValues("x-aigw-cache").Single());
        }

        await Eventually.UntilAsync(async () => await CostLog.PerfLogRows.CountAsync(database.ConnectionString) == 6, "six rows logged");
        var report = await MetricsApi.GetAsync(gateway, "/api/metrics/ai-performance?route=metrics.real");

        Assert.Equal(6, report.GetProperty("requests").GetInt64());
        Assert.Equal(3, report.GetProperty("cache_hits").GetInt64());
        Assert.Equal(0.5, report.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(costs.Sum(), report.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(costs.Sum(), report.GetProperty("saved_usd").GetDecimal());
        Assert.Equal("gpt-4o-mini", report.GetProperty("by_model")[0].GetProperty("model").GetString());
    }

    [Fact]
    public async Task Get_LogRowsPastRetention_WholeDaysStillCountedFromRollup()
    {
        var rows = MetricsRows.Generate(300);
        await using var setup = await MetricsGateway.StartAsync("postgres", rows);
        var cut = Start.AddDays(2);
        // What retention does to old months, done to two days: the log loses them, the rollup keeps them.
        await using (var connection = new Npgsql.NpgsqlConnection(setup.ConnectionString))
        {
            await connection.OpenAsync();
            await using var delete = new Npgsql.NpgsqlCommand("DELETE FROM ai_performance_logs WHERE ts < @cut", connection);
            delete.Parameters.AddWithValue("cut", cut);
            await delete.ExecuteNonQueryAsync();
        }

        var expected = ExpectedMetrics.Filter(rows, null, null, null, Start, cut);
        var report = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance" + MetricsApi.Query(from: Start, to: cut));

        Assert.Equal(expected.Count, report.GetProperty("requests").GetInt64());
        Assert.Equal(expected.Sum(r => r.CostUsd ?? 0m), report.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(JsonValueKind.Null, report.GetProperty("duration_p50_ms").ValueKind);
        Assert.Equal(0, report.GetProperty("top_expensive").GetArrayLength());
    }

    private static void AssertTotals(List<PerfLogRecord> rows, JsonElement report)
    {
        var hits = rows.Count(r => r.CacheStatus == "hit");
        Assert.Equal(rows.Count, report.GetProperty("requests").GetInt64());
        Assert.Equal(hits, report.GetProperty("cache_hits").GetInt64());
        Assert.Equal((double)hits / rows.Count, report.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(rows.Count(r => r.DedupeRole == "follower"), report.GetProperty("dedupe_followers").GetInt64());
        Assert.Equal(rows.Sum(r => r.CostUsd ?? 0m), report.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(rows.Sum(r => r.SavedUsd ?? 0m), report.GetProperty("saved_usd").GetDecimal());
        Assert.Equal(rows.Sum(r => r.PromptTokens), report.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(rows.Sum(r => r.CompletionTokens), report.GetProperty("completion_tokens").GetInt64());
        AssertLatency(rows, report, "all");
    }

    private static void AssertLatency(List<PerfLogRecord> rows, JsonElement element, string what)
    {
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(rows.Select(r => r.DurationMs), 0.5), MetricsApi.Double(element, "duration_p50_ms"), what + " duration p50");
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(rows.Select(r => r.DurationMs), 0.95), MetricsApi.Double(element, "duration_p95_ms"), what + " duration p95");
        var ttfts = rows.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value).ToList();
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(ttfts, 0.5), MetricsApi.Double(element, "ttft_p50_ms"), what + " ttft p50");
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(ttfts, 0.95), MetricsApi.Double(element, "ttft_p95_ms"), what + " ttft p95");
    }

    private static void AssertByModel(List<PerfLogRecord> rows, JsonElement byModel)
    {
        var expected = rows.GroupBy(ExpectedMetrics.Model).ToList();
        Assert.Equal(expected.Count, byModel.GetArrayLength());
        foreach (var group in expected)
        {
            var line = byModel.EnumerateArray().Single(m => m.GetProperty("model").GetString() == group.Key);
            var list = group.ToList();
            Assert.Equal(list.Count, line.GetProperty("requests").GetInt64());
            Assert.Equal(list.Count(r => r.CacheStatus == "hit"), line.GetProperty("cache_hits").GetInt64());
            Assert.Equal(list.Count(r => r.DedupeRole == "follower"), line.GetProperty("dedupe_followers").GetInt64());
            Assert.Equal(list.Sum(r => r.CostUsd ?? 0m), line.GetProperty("cost_usd").GetDecimal());
            Assert.Equal(list.Sum(r => r.SavedUsd ?? 0m), line.GetProperty("saved_usd").GetDecimal());
            Assert.Equal(AverageCost(list), line.GetProperty("avg_cost_usd").GetDecimal());
            AssertLatency(list, line, group.Key);
        }

        var costs = byModel.EnumerateArray().Select(m => m.GetProperty("cost_usd").GetDecimal()).ToList();
        Assert.Equal(costs.OrderByDescending(c => c), costs);
    }

    private static void AssertByRoute(List<PerfLogRecord> rows, JsonElement byRoute)
    {
        var expected = rows.GroupBy(ExpectedMetrics.Route).ToList();
        Assert.Equal(expected.Count, byRoute.GetArrayLength());
        foreach (var group in expected)
        {
            var line = byRoute.EnumerateArray().Single(m => m.GetProperty("route").GetString() == group.Key);
            Assert.Equal(group.Count(), line.GetProperty("requests").GetInt64());
            Assert.Equal(group.Count(r => r.CacheStatus == "hit"), line.GetProperty("cache_hits").GetInt64());
            Assert.Equal(group.Sum(r => r.CostUsd ?? 0m), line.GetProperty("cost_usd").GetDecimal());
            Assert.Equal(group.Sum(r => r.SavedUsd ?? 0m), line.GetProperty("saved_usd").GetDecimal());
            Assert.Equal(group.Sum(r => r.PromptTokens), line.GetProperty("prompt_tokens").GetInt64());
            Assert.Equal(AverageCost(group.ToList()), line.GetProperty("avg_cost_usd").GetDecimal());
        }
    }

    private static void AssertTopExpensive(List<PerfLogRecord> rows, JsonElement top)
    {
        var expected = rows.Where(r => r.CostUsd > 0).OrderByDescending(r => r.CostUsd).ThenByDescending(r => r.Ts).Take(10).ToList();
        Assert.Equal(expected.Select(r => r.Id), top.EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
        Assert.Equal(expected.Select(r => r.CostUsd!.Value), top.EnumerateArray().Select(c => c.GetProperty("cost_usd").GetDecimal()));
    }

    // What one call cost on average, hits and followers included, at numeric(20,10)'s ten decimals.
    private static decimal AverageCost(List<PerfLogRecord> rows) => Math.Round(rows.Sum(r => r.CostUsd ?? 0m) / rows.Count, 10, MidpointRounding.ToEven);

    private static void AssertSlowestRoutes(List<PerfLogRecord> rows, JsonElement slowest, int top = 5)
    {
        var expected = rows.GroupBy(ExpectedMetrics.Route)
            .Select(g => (Route: g.Key, Count: g.Count(), P50: ExpectedMetrics.Percentile(g.Select(r => r.DurationMs), 0.5)!.Value,
                P95: ExpectedMetrics.Percentile(g.Select(r => r.DurationMs), 0.95)!.Value))
            .OrderByDescending(r => r.P95).ThenByDescending(r => r.P50).ThenBy(r => r.Route, StringComparer.Ordinal)
            .Take(top)
            .ToList();
        var actual = slowest.EnumerateArray().ToList();
        Assert.Equal(expected.Select(r => r.Route), actual.Select(r => r.GetProperty("route").GetString()));
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Count, actual[i].GetProperty("requests").GetInt64());
            MetricsApi.AssertClose(expected[i].P50, MetricsApi.Double(actual[i], "duration_p50_ms"), expected[i].Route + " p50");
            MetricsApi.AssertClose(expected[i].P95, MetricsApi.Double(actual[i], "duration_p95_ms"), expected[i].Route + " p95");
        }
    }

    private static void AssertMostCalledRoutes(List<PerfLogRecord> rows, JsonElement mostCalled, int top = 5)
    {
        var expected = rows.GroupBy(ExpectedMetrics.Route)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(top)
            .Select(g => (g.Key, (long)g.Count()))
            .ToList();
        Assert.Equal(expected, mostCalled.EnumerateArray().Select(r => (r.GetProperty("route").GetString()!, r.GetProperty("requests").GetInt64())));
    }
}
