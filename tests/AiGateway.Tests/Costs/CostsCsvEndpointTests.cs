using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Metrics;
using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Costs;

/// <summary>
/// <c>GET /api/costs.csv</c> on Postgres and on the embedded store: the bytes are RFC 4180 CSV in UTF-8 without a BOM,
/// the header row is CONTRACT §10.8's, and every record equals the one computed independently from the rows written
/// through the gateway's own log store.
/// </summary>
public sealed class CostsCsvEndpointTests
{
    private const string Header = "period,org_id,customer_id,route,model,requests,cache_hits,prompt_tokens,completion_tokens,cost_usd,saved_usd";

    public static TheoryData<string, string?, int?, int?, string?> Queries => new()
    {
        // store, org, from and to as days after CostsRows.FirstMonth (null = open), group
        { "postgres", null, null, null, null },
        { "postgres", "org-b", null, null, "day" },
        { "postgres", null, 10, 45, null },
        { "postgres", null, null, null, "month" },
        { "postgres", "org-a", 0, null, "month" },
        { "postgres", null, 10, 45, "month" },
        { "sqlite", null, null, null, null },
        { "sqlite", "org-c", 3, 40, "day" },
        { "sqlite", null, null, null, "month" },
        { "sqlite", null, 10, 45, "month" },
    };

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Get_GeneratedRows_EveryRecordMatchesTheRows(string store, string? org, int? fromDays, int? toDays, string? group)
    {
        var rows = CostsRows.Generate(900);
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        DateOnly? from = fromDays is { } f ? CostsRows.FirstMonth.AddDays(f) : null;
        DateOnly? to = toDays is { } t ? CostsRows.FirstMonth.AddDays(t) : null;
        var expected = CostsRows.Expected(rows, org, from, to, monthly: group == "month");

        using var response = await GetAsync(setup.Gateway, Query(org, from, to, group));
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(Encoding.ASCII.GetBytes("period,"), bytes[..7]);
        var records = CsvText.Parse(Encoding.UTF8.GetString(bytes));
        Assert.Equal(Header, string.Join(',', records[0]));
        Assert.True(expected.Count > 3, "the query should cover several records");
        Assert.Equal(expected.Select(r => string.Join('|', r)), records.Skip(1).Select(r => string.Join('|', r)));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Get_WholeMonthsAndPartialMonths_MonthlyTotalsEqualTheSumOfTheirDays(string store)
    {
        // Postgres answers whole months from ai_cost_monthly and a partial range by summing ai_cost_daily: both must agree with the days.
        var rows = CostsRows.Generate(600, seed: 5);
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        var firstOfThisMonth = CostsRows.FirstMonth.AddMonths(2);

        var whole = await RecordsAsync(setup.Gateway, Query(null, CostsRows.FirstMonth, firstOfThisMonth, "month"));
        var partial = await RecordsAsync(setup.Gateway, Query(null, CostsRows.FirstMonth, firstOfThisMonth.AddDays(1), "month"));

        Assert.Equal(CostsRows.Expected(rows, null, CostsRows.FirstMonth, firstOfThisMonth, monthly: true), whole);
        Assert.Equal(CostsRows.Expected(rows, null, CostsRows.FirstMonth, firstOfThisMonth.AddDays(1), monthly: true), partial);
        Assert.Equal(2, whole.Select(r => r[0]).Distinct().Count());
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Get_FieldsWithCommasQuotesLineBreaksAndAccents_QuotedPerRfc4180InUtf8(string store)
    {
        var day = DateTimeOffset.UtcNow.Date;
        var rows = new List<PerfLogRecord>
        {
            Row(day.AddHours(1), "org,1", "say \"hi\"", "gpt-4o-mini", 0.1234567891m),
            Row(day.AddHours(2), "org-2", "two\r\nlines", "gpt-4o", 1234567890.0000000001m),
            Row(day.AddHours(3), "org-3", "résumé·日本", "gpt-4o", 0.0000000001m),
        };
        await using var setup = await MetricsGateway.StartAsync(store, rows);

        using var response = await GetAsync(setup.Gateway, "");
        var text = Encoding.UTF8.GetString(await response.Content.ReadAsByteArrayAsync());

        var today = DateOnly.FromDateTime(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        Assert.Equal(
            Header + "\r\n" +
            $"{today},\"org,1\",,\"say \"\"hi\"\"\",gpt-4o-mini,1,0,10,5,0.1234567891,0\r\n" +
            $"{today},org-2,,\"two\r\nlines\",gpt-4o,1,0,10,5,1234567890.0000000001,0\r\n" +
            $"{today},org-3,,résumé·日本,gpt-4o,1,0,10,5,0.0000000001,0\r\n",
            text);
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("sqlite")]
    public async Task Get_NoRowsInRange_HeaderRowOnly(string store)
    {
        await using var setup = await MetricsGateway.StartAsync(store, CostsRows.Generate(50));

        using var response = await GetAsync(setup.Gateway, "?from=2001-01-01&to=2001-02-01&group=month");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Header + "\r\n", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("from=2026-13-01", "from", "invalid_parameter")]
    [InlineData("to=yesterday", "to", "invalid_parameter")]
    [InlineData("from=2026-11-01T10:30:00Z", "from", "invalid_parameter")]
    [InlineData("from=2026-11-02&to=2026-11-01", "from", "invalid_parameter")]
    [InlineData("from=2026-11-01&to=2026-11-01", "from", "invalid_parameter")]
    [InlineData("group=week", "group", "invalid_parameter")]
    [InlineData("route=chat", "route", "invalid_parameter")]
    public async Task Get_BadParameter_400InOpenAiShapeNamingIt(string query, string param, string code)
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", []);

        using var response = await GetAsync(setup.Gateway, "?" + query);

        await OpenAiErrorAssert.IsErrorAsync(response, 400, code);
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, json.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Theory]
    [InlineData("postgres", "day")]
    [InlineData("postgres", "month")]
    [InlineData("sqlite", "day")]
    [InlineData("sqlite", "month")]
    public async Task Get_CustomerFilter_OnlyThatCustomersRecords(string store, string group)
    {
        var rows = CostsRows.Generate(600);
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        var expected = CostsRows.Expected(rows, null, null, null, monthly: group == "month", customer: "cust.2");

        var records = await RecordsAsync(setup.Gateway, $"?customer=cust.2&group={group}");

        Assert.True(expected.Count > 3, "the customer should have several records");
        Assert.All(records, r => Assert.Equal("cust.2", r[2]));
        Assert.Equal(expected.Select(r => string.Join('|', r)), records.Select(r => string.Join('|', r)));
    }

    [Fact]
    public async Task Get_MidnightTimesAsFromAndTo_TakenAsTheirDays()
    {
        var rows = CostsRows.Generate(300);
        await using var setup = await MetricsGateway.StartAsync("sqlite", rows);
        var from = CostsRows.FirstMonth.AddDays(5);
        var to = CostsRows.FirstMonth.AddDays(20);

        var records = await RecordsAsync(setup.Gateway, $"?from={from:yyyy-MM-dd}T00:00:00.000Z&to={to:yyyy-MM-dd}T00:00Z");

        Assert.Equal(CostsRows.Expected(rows, null, from, to, monthly: false), records);
    }

    [Fact]
    public async Task Get_WithoutAdminKey_401()
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", []);

        using var response = await setup.Gateway.Client.GetAsync("api/costs.csv");

        await OpenAiErrorAssert.IsErrorAsync(response, 401, "invalid_admin_key");
    }

    [Fact]
    public async Task Get_PostgresDown_503InOpenAiShape()
    {
        await using var setup = await MetricsGateway.StartAsync("postgres", []);
        // Stopping the shared server would disturb every other test: the database goes away instead.
        await using (var connection = new Npgsql.NpgsqlConnection(setup.ConnectionString))
        {
            await connection.OpenAsync();
            await using var rename = new Npgsql.NpgsqlCommand("ALTER TABLE ai_cost_daily RENAME TO ai_cost_daily_gone", connection);
            await rename.ExecuteNonQueryAsync();
        }

        using var response = await GetAsync(setup.Gateway, "");

        await OpenAiErrorAssert.IsErrorAsync(response, 503, "store_unavailable");
    }

    internal static string Query(string? org, DateOnly? from, DateOnly? to, string? group)
    {
        var parts = new List<string>();
        if (org is not null)
        {
            parts.Add("org=" + Uri.EscapeDataString(org));
        }

        if (from is { } f)
        {
            parts.Add("from=" + f.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (to is { } t)
        {
            parts.Add("to=" + t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (group is not null)
        {
            parts.Add("group=" + group);
        }

        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    internal static Task<HttpResponseMessage> GetAsync(TestGateway gateway, string query, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/costs.csv" + query);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", MetricsApi.AdminKey);
        return gateway.Client.SendAsync(request, completion);
    }

    private static async Task<List<string[]>> RecordsAsync(TestGateway gateway, string query)
    {
        using var response = await GetAsync(gateway, query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var records = CsvText.Parse(text);
        Assert.Equal(Header, string.Join(',', records[0]));
        return records.Skip(1).ToList();
    }

    private static PerfLogRecord Row(DateTimeOffset ts, string org, string route, string model, decimal cost) => new()
    {
        Ts = ts,
        OrgId = org,
        Route = route,
        Endpoint = "/v1/chat/completions",
        ModelRequested = model,
        ModelUsed = model,
        StatusCode = 200,
        CacheStatus = "miss",
        Attempts = 1,
        PromptTokens = 10,
        CompletionTokens = 5,
        CostUsd = cost,
        SavedUsd = 0m,
        DurationMs = 100,
        RequestHash = Guid.NewGuid().ToString("N"),
    };
}
