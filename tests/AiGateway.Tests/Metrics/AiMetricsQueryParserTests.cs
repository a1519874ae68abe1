using AiGateway.Metrics;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary>The metrics API's query string: ISO-8601 times, known names only, and OpenAI-shaped 400s for the rest.</summary>
public sealed class AiMetricsQueryParserTests
{
    [Theory]
    [InlineData("2026-11-01", "2026-11-01T00:00:00Z")]
    [InlineData("2026-11-01T09:30", "2026-11-01T09:30:00Z")]
    [InlineData("2026-11-01T09:30:15Z", "2026-11-01T09:30:15Z")]
    [InlineData("2026-11-01T09:30:15.250Z", "2026-11-01T09:30:15.25Z")]
    [InlineData("2026-11-01T11:30:15+02:00", "2026-11-01T09:30:15Z")]
    [InlineData("2026-11-01T11:30:15 02:00", "2026-11-01T09:30:15Z")]
    public void TryParse_IsoTime_ReadAsUtc(string text, string expected)
    {
        var ok = AiMetricsQueryParser.TryParse(Query(("from", text)), allowBucket: false, out var filter, out _, out _);

        Assert.True(ok);
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), filter.From);
        Assert.Equal(TimeSpan.Zero, filter.From!.Value.Offset);
    }

    [Theory]
    [InlineData("from", "yesterday")]
    [InlineData("to", "2026-13-01")]
    [InlineData("to", "11/01/2026")]
    [InlineData("bucket", "week")]
    [InlineData("modle", "gpt-4o")]
    public void TryParse_BadParameter_NamesIt(string name, string value)
    {
        var ok = AiMetricsQueryParser.TryParse(Query((name, value)), allowBucket: true, out _, out _, out var error);

        Assert.False(ok);
        Assert.Equal(name, error.Param);
        Assert.Contains(name, error.Message);
    }

    [Fact]
    public void TryParse_FromNotBeforeTo_Refused()
    {
        var ok = AiMetricsQueryParser.TryParse(Query(("from", "2026-11-02"), ("to", "2026-11-01")), allowBucket: false, out _, out _, out var error);

        Assert.False(ok);
        Assert.Equal("from", error.Param);
    }

    [Fact]
    public void TryParse_EmptyValues_MeanNoFilter()
    {
        var ok = AiMetricsQueryParser.TryParse(Query(("org", ""), ("route", ""), ("model", "gpt-4o")), allowBucket: false, out var filter, out _, out _);

        Assert.True(ok);
        Assert.Equal(new AiMetricsFilter(null, null, "gpt-4o", null, null), filter);
    }

    [Theory]
    [InlineData("api/metrics/ai-performance?from=last-week", "from")]
    [InlineData("api/metrics/ai-performance?to=2026-02-30", "to")]
    [InlineData("api/metrics/ai-performance?bucket=hour", "bucket")]
    [InlineData("api/metrics/ai-performance/timeseries?bucket=fortnight", "bucket")]
    [InlineData("api/metrics/ai-performance?top=0", "top")]
    [InlineData("api/metrics/ai-performance?top=101", "top")]
    [InlineData("api/metrics/ai-performance?top=-3", "top")]
    [InlineData("api/metrics/ai-performance?top=five", "top")]
    [InlineData("api/metrics/ai-performance?top=2.5", "top")]
    [InlineData("api/metrics/ai-performance/timeseries?top=5", "top")]
    public async Task Get_BadQuery_400InOpenAiShape(string pathAndQuery, string param)
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", MetricsRows.Generate(5));
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", MetricsApi.AdminKey);

        using var response = await setup.Gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_parameter");
        Assert.Contains($"\"param\":\"{param}\"", await response.Content.ReadAsStringAsync());
    }

    private static QueryCollection Query(params (string Name, string Value)[] values)
        => new(values.ToDictionary(v => v.Name, v => new StringValues(v.Value)));
}
