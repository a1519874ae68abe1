using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Tests.CostLog;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary><c>GET /metrics</c>: the GenAI histograms and gateway counters after known traffic equal what the calls and their log rows say.</summary>
public sealed class PrometheusEndpointTests
{
    private const string Route = "prom.test";

    [Fact]
    public async Task Get_AfterKnownTraffic_InstrumentsMatchTheCalls()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(database.ConnectionString));
        long nonStreamInput = 0, nonStreamOutput = 0;
        var missIds = new List<Guid>();

        for (var i = 0; i < 3; i++)
        {
            var body = MetricsTraffic.ChatBody("gpt-4o-mini", stream: false);
            using var miss = await MetricsTraffic.SendAsync(gateway, body, Route);
            var usage = JsonDocument.Parse(await miss.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
            nonStreamInput += usage.GetProperty("prompt_tokens").GetInt64();
            nonStreamOutput += usage.GetProperty("completion_tokens").GetInt64();
            missIds.Add(Guid.Parse(miss.Headers.GetValues("x-aigw-request-id").Single()));
            using var hit = await MetricsTraffic.SendAsync(gateway, body, Route);
            Assert.Equal("hit", hit.Headers.GetValues("x-aigw-cache").Single());
        }

        var streamBody = MetricsTraffic.ChatBody("gpt-4o", stream: true);
        string firstId;
        using (var stream = await gateway.Client.SendAsync(MetricsTraffic.Chat(streamBody, Route), HttpCompletionOption.ResponseHeadersRead))
        {
            var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
            await reader.ReadAllAsync();
            firstId = reader.Ids[0];
        }

        using var resumed = await MetricsTraffic.SendAsync(gateway, streamBody, Route, ("Last-Event-ID", firstId));
        Assert.Contains("data: [DONE]", await resumed.Content.ReadAsStringAsync());

        var dedupeBody = MetricsTraffic.ChatBody("gpt-4o-mini", stream: false);
        var identical = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => MetricsTraffic.SendAsync(gateway, dedupeBody, Route, ("x-mock-latency-ms", "700"))));
        var followers = identical.Count(r => r.Headers.TryGetValues("x-aigw-dedupe", out var v) && v.Single() == "follower");
        Assert.True(followers > 0, "identical calls in flight together join the first one");

        using var dropped = await MetricsTraffic.SendAsync(gateway, MetricsTraffic.ChatBody("gpt-4o-mini", stream: true), Route, ("x-mock-drop-after-events", "2"));

        await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(database.ConnectionString) == 12, "the twelve calls logged");
        var rows = await PerfLogRows.ReadAllAsync(database.ConnectionString);
        PrometheusText metrics = null!;
        await Eventually.UntilAsync(async () =>
        {
            metrics = PrometheusText.Parse(await ScrapeAsync(gateway));
            return metrics.Sum("gen_ai_server_request_duration_seconds_count") == rows.Count
                && metrics.Sum("aigw_log_written_rows_total") == rows.Count;
        }, "every call measured");

        var chat = ("gen_ai_operation_name", "chat");
        Assert.Equal(3, metrics.Sum("aigw_cache_hits_total", chat));
        Assert.Equal(rows.Count(r => r.CacheStatus == "miss"), metrics.Sum("aigw_cache_misses_total", chat));
        Assert.Equal(followers, metrics.Sum("aigw_dedupe_followers_total", chat));
        Assert.Equal(rows.Count(r => r.DedupeRole == "follower"), followers);
        Assert.Equal(1, metrics.Sum("aigw_stream_resumes_total", chat));
        Assert.Equal(1, metrics.Sum("aigw_stream_drops_total", chat));
        Assert.Equal(0, metrics.Sum("aigw_log_spilled_rows_total"));
        Assert.True(metrics.Has("aigw_log_queue_depth"));

        var spent = rows.Where(r => r.PromptTokens > 0 || r.CompletionTokens > 0).ToList();
        var input = ("gen_ai_token_type", "input");
        var output = ("gen_ai_token_type", "output");
        Assert.Equal(spent.Sum(r => r.PromptTokens), metrics.Sum("gen_ai_client_token_usage_sum", input));
        Assert.Equal(spent.Sum(r => r.CompletionTokens), metrics.Sum("gen_ai_client_token_usage_sum", output));
        Assert.Equal(spent.Count, metrics.Sum("gen_ai_client_token_usage_count", input));
        var misses = rows.Where(r => missIds.Contains(r.Id)).ToList();
        Assert.Equal(nonStreamInput, misses.Sum(r => r.PromptTokens));
        Assert.Equal(nonStreamOutput, misses.Sum(r => r.CompletionTokens));

        Assert.Equal(3, metrics.Sum("gen_ai_server_request_duration_seconds_count", ("aigw_cache_status", "hit")));
        Assert.Equal(rows.Sum(r => r.DurationMs) / 1000.0, metrics.Sum("gen_ai_server_request_duration_seconds_sum"), 6);
        Assert.Equal(rows.Count(r => r.TtftMs is not null), metrics.Sum("gen_ai_server_time_to_first_token_seconds_count"));
        Assert.Equal(rows.Count(r => r.TtftMs is not null),
            metrics.Sum("gen_ai_server_time_to_first_token_seconds_bucket", ("le", "+Inf")));
        Assert.Equal(1, metrics.Sum("gen_ai_server_request_duration_seconds_count", ("error_type", "failed")));

        // Every series the shipped Grafana dashboard queries is exposed.
        var dashboard = File.ReadAllText(Path.Combine(TestGateway.RepositoryRoot, "ops", "grafana", "aigateway.json"));
        foreach (var name in System.Text.RegularExpressions.Regex.Matches(dashboard, "\\b(?:gen_ai|aigw)_[a-z_]+(?=\\{)").Select(m => m.Value).Distinct())
        {
            Assert.True(metrics.Has(name), $"the dashboard queries {name}, which /metrics does not expose");
        }

        // The log-derived stream figures of the dashboards tell the same story as the counters.
        var series = await MetricsApi.GetAsync(gateway, "/api/metrics/ai-performance/timeseries?bucket=day&route=" + Route);
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(3, points.Sum(p => p.GetProperty("streams").GetInt64()));
        Assert.Equal(1, points.Sum(p => p.GetProperty("stream_resumes").GetInt64()));
        Assert.Equal(1, points.Sum(p => p.GetProperty("stream_drops").GetInt64()));
        Assert.Equal(2, points.Sum(p => p.GetProperty("live_streams").GetInt64()));
        Assert.Equal(followers, points.Sum(p => p.GetProperty("dedupe_followers").GetInt64()));
    }

    [Fact]
    public async Task Get_TwoGateways_EachCountsOnlyItsOwnCalls()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var busy = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(null));
        await using var idle = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(null));

        using var call = await MetricsTraffic.SendAsync(busy, MetricsTraffic.ChatBody("gpt-4o-mini", stream: false), Route);
        await Eventually.UntilAsync(async () => PrometheusText.Parse(await ScrapeAsync(busy)).Sum("aigw_cache_misses_total") == 1, "the call measured");

        Assert.Equal(0, PrometheusText.Parse(await ScrapeAsync(idle)).Sum("aigw_cache_misses_total"));
    }

    [Fact]
    public async Task Get_AfterCallsWithUnknownModels_ModelLabelsOnlyFromPricesAndConfigElseOther()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, MetricsApi.Settings(null));
        var random = "zz-" + Guid.NewGuid().ToString("N");

        foreach (var model in new[] { "gpt-4o-mini", "gpt-4o-2031-01-01", random, random + "-2", "ft:" + random })
        {
            using var call = await MetricsTraffic.SendAsync(gateway, MetricsTraffic.ChatBody(model, stream: false), Route);
            Assert.Equal(200, (int)call.StatusCode);
        }

        PrometheusText metrics = null!;
        await Eventually.UntilAsync(async () =>
        {
            metrics = PrometheusText.Parse(await ScrapeAsync(gateway));
            return metrics.Sum("gen_ai_server_request_duration_seconds_count") == 5;
        }, "every call measured");

        Assert.DoesNotContain(random, metrics.Text, StringComparison.Ordinal);
        Assert.Equal(3, metrics.Sum("gen_ai_server_request_duration_seconds_count", ("gen_ai_request_model", "other")));
        Assert.Equal(1, metrics.Sum("gen_ai_server_request_duration_seconds_count", ("gen_ai_request_model", "gpt-4o-mini")));
        // An unpriced dated snapshot of a priced model counts under its base model.
        Assert.Equal(1, metrics.Sum("gen_ai_server_request_duration_seconds_count", ("gen_ai_request_model", "gpt-4o")));
    }

    private static async Task<string> ScrapeAsync(TestGateway gateway)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "metrics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsApi.AdminKey);
        using var response = await gateway.Client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }
}
