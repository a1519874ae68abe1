using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using Dapper;
using MockOpenAi;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.CostLog;

/// <summary>Every call metered: headers on the response, a row in the real Postgres log, the daily rollup.</summary>
public sealed class CostLogEndToEndTests
{
    // gpt-4o-mini list price per 1M tokens in config/Prices/model-prices.json.
    private const decimal Input = 0.15m, Output = 0.60m;

    [Fact]
    public async Task Chat_MissThenHit_CostHeadersRowsAndRollupAgree()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, database);
        var body = Chat(stream: false);

        using var miss = await SendAsync(gateway, body);
        var answer = JsonDocument.Parse(await miss.Content.ReadAsStringAsync()).RootElement.GetProperty("usage");
        var expected = Math.Round((answer.GetProperty("prompt_tokens").GetInt64() * Input + answer.GetProperty("completion_tokens").GetInt64() * Output) / 1_000_000m, 10);
        using var hit = await SendAsync(gateway, body);

        Assert.Equal(expected, decimal.Parse(miss.Headers.GetValues("x-aigw-cost-usd").Single(), CultureInfo.InvariantCulture));
        Assert.Equal("0", hit.Headers.GetValues("x-aigw-cost-usd").Single());
        var missId = Guid.Parse(miss.Headers.GetValues("x-aigw-request-id").Single());
        var hitId = Guid.Parse(hit.Headers.GetValues("x-aigw-request-id").Single());
        var rows = await WaitForRowsAsync(database, 2);
        var missRow = rows.Single(r => r.id == missId);
        var hitRow = rows.Single(r => r.id == hitId);
        Assert.Equal(("miss", expected, (decimal?)null), ((string)missRow.cache_status, (decimal)missRow.cost_usd, (decimal?)missRow.saved_usd));
        Assert.Equal(answer.GetProperty("prompt_tokens").GetInt64(), (long)missRow.prompt_tokens);
        Assert.Equal(("hit", 0m, (decimal?)expected, 0L), ((string)hitRow.cache_status, (decimal)hitRow.cost_usd, (decimal?)hitRow.saved_usd, (long)hitRow.prompt_tokens));
        Assert.Equal("gpt-4o-mini", (string)missRow.model_used);

        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var rollup = await connection.QuerySingleAsync("SELECT requests, cache_hits, cost_usd, saved_usd FROM ai_cost_daily WHERE model = 'gpt-4o-mini'");
        Assert.Equal((2L, 1L, expected, expected), ((long)rollup.requests, (long)rollup.cache_hits, (decimal)rollup.cost_usd, (decimal)rollup.saved_usd));
    }

    [Fact]
    public async Task Stream_Complete_CostCommentBeforeTerminalAndRowWithTtft()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, database);

        using var response = await SendAsync(gateway, Chat(stream: true));
        var text = await response.Content.ReadAsStringAsync();

        var done = text.IndexOf("data: [DONE]", StringComparison.Ordinal);
        var comment = text.LastIndexOf(": x-aigw-cost-usd=", done, StringComparison.Ordinal);
        Assert.True(comment > 0 && !text[comment..done].Contains("data:"), "the cost comment comes just before the terminal event");
        var cost = decimal.Parse(text[(comment + 18)..text.IndexOf('\n', comment)], CultureInfo.InvariantCulture);
        var row = Assert.Single(await WaitForRowsAsync(database, 1));
        Assert.Equal(cost, (decimal)row.cost_usd);
        Assert.True(cost > 0);
        Assert.False((bool)row.usage_estimated);
        Assert.NotNull((int?)row.ttft_ms);
        Assert.True((bool)row.stream);
    }

    [Fact]
    public async Task Stream_AbortedByUpstream_RowHasEstimatedUsage()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { DropAfterEvents = 3 });
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartAsync(upstream, database);

        using var response = await SendAsync(gateway, Chat(stream: true));
        await response.Content.ReadAsStringAsync();

        var row = Assert.Single(await WaitForRowsAsync(database, 1));
        Assert.True((bool)row.usage_estimated);
        Assert.True((long)row.prompt_tokens > 0);
        Assert.True((long)row.completion_tokens > 0);
        Assert.Equal("failed", (string)row.error);
    }

    private static async Task<TestGateway> StartAsync(MockOpenAiServer upstream, TestServices.TempDatabase database) =>
        await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        });

    private static string Chat(bool stream) =>
        $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"Price this {Guid.NewGuid()} please, it has a few words\"}}]}}";

    private static Task<HttpResponseMessage> SendAsync(TestGateway gateway, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-cost-log-test");
        return gateway.Client.SendAsync(request);
    }

    private static async Task<List<dynamic>> WaitForRowsAsync(TestServices.TempDatabase database, int count)
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        List<dynamic> rows = [];
        for (var attempt = 0; attempt < 600 && rows.Count < count; attempt++)
        {
            await Task.Delay(50);
            rows = (await connection.QueryAsync("SELECT * FROM ai_performance_logs")).ToList();
        }

        Assert.Equal(count, rows.Count);
        return rows;
    }
}
