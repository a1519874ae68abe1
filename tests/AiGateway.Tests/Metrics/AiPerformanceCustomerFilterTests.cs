using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary><c>customer=</c> on the metrics API and its time series (CONTRACT §10.2): only that customer's calls, from the log and the rollup alike.</summary>
public sealed class AiPerformanceCustomerFilterTests
{
    private static readonly DateTimeOffset Start = MetricsRows.Start;

    [Theory]
    [InlineData("sqlite", null, null)]
    [InlineData("sqlite", 390, (3 * 24 * 60) + 135)]
    [InlineData("postgres", null, null)]
    [InlineData("postgres", 390, (3 * 24 * 60) + 135)]
    public async Task Get_Customer_OnlyItsCallsCountedFromLogAndRollup(string store, int? fromMinutes, int? toMinutes)
    {
        var rows = WithCustomers(MetricsRows.Generate(600));
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        DateTimeOffset? from = fromMinutes is { } f ? Start.AddMinutes(f) : null;
        DateTimeOffset? to = toMinutes is { } t ? Start.AddMinutes(t) : null;
        var range = MetricsApi.Query(from: from, to: to);
        var expected = ExpectedMetrics.Filter(rows, "org-a", null, null, from, to).Where(r => r.CustomerId == "cust-a").ToList();

        var report = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance" + Append(range, "org=org-a&customer=cust-a"));
        var series = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance/timeseries" + Append(range, "org=org-a&customer=cust-a&bucket=hour"));

        Assert.NotEmpty(expected);
        Assert.Equal("cust-a", report.GetProperty("customer").GetString());
        Assert.Equal(expected.Count, report.GetProperty("requests").GetInt64());
        Assert.Equal(expected.Count(r => r.CacheStatus == "hit"), report.GetProperty("cache_hits").GetInt64());
        Assert.Equal(expected.Sum(r => r.CostUsd ?? 0m), report.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(expected.Sum(r => r.PromptTokens), report.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal("cust-a", series.GetProperty("customer").GetString());
        Assert.Equal(expected.Count, series.GetProperty("points").EnumerateArray().Sum(p => p.GetProperty("requests").GetInt64()));
    }

    [Fact]
    public async Task Get_NoCustomerFilter_EveryCallCounted()
    {
        var rows = WithCustomers(MetricsRows.Generate(200));
        await using var setup = await MetricsGateway.StartAsync("sqlite", rows);

        var report = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance");

        Assert.Equal(JsonValueKind.Null, report.GetProperty("customer").ValueKind);
        Assert.Equal(rows.Count, report.GetProperty("requests").GetInt64());
    }

    [Theory]
    [InlineData("api/metrics/ai-performance?customer=cust%20a")]
    [InlineData("api/metrics/ai-performance/timeseries?customer=%7Bcust%7D")]
    public async Task Get_InvalidCustomer_400InvalidParameter(string path)
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", []);

        using var response = await new AdminClient(setup.Gateway, MetricsApi.AdminKey).SendAsync(HttpMethod.Get, path);

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_parameter");
        Assert.Contains("\"param\":\"customer\"", await response.Content.ReadAsStringAsync());
    }

    // A third of the calls for cust-a, a fifth for cust-b, the rest for no customer; the same on every run.
    private static List<PerfLogRecord> WithCustomers(List<PerfLogRecord> rows)
    {
        for (var i = 0; i < rows.Count; i++)
        {
            rows[i].CustomerId = i % 3 == 0 ? "cust-a" : i % 5 == 0 ? "cust-b" : null;
        }

        return rows;
    }

    private static string Append(string query, string more) => query.Length == 0 ? "?" + more : query + "&" + more;
}
