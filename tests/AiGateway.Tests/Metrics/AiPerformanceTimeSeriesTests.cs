using System.Text.Json;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary><c>GET /api/metrics/ai-performance/timeseries</c>: every bucket equals the one computed independently from the rows.</summary>
public sealed class AiPerformanceTimeSeriesTests
{
    [Theory]
    [InlineData("postgres", "hour", null)]
    [InlineData("postgres", "day", "org-c")]
    [InlineData("postgres", "minute", "org-a")]
    [InlineData("sqlite", "hour", null)]
    [InlineData("sqlite", "day", "org-c")]
    public async Task Get_GeneratedRows_EachBucketMatchesItsRows(string store, string bucket, string? org)
    {
        var rows = MetricsRows.Generate(500, seed: 11);
        await using var setup = await MetricsGateway.StartAsync(store, rows);
        var from = MetricsRows.Start.AddHours(5.5);
        var to = MetricsRows.Start.AddDays(3.25);
        var expected = ExpectedMetrics.Filter(rows, org, null, null, from, to)
            .GroupBy(r => BucketStart(r.Ts, bucket))
            .OrderBy(g => g.Key)
            .ToList();

        var series = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance/timeseries" + MetricsApi.Query(org: org, from: from, to: to, bucket: bucket));

        Assert.Equal(bucket, series.GetProperty("bucket").GetString());
        Assert.Equal(bucket switch { "minute" => 60, "hour" => 3600, _ => 86400 }, series.GetProperty("bucket_seconds").GetInt32());
        var points = series.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(expected.Select(g => g.Key), points.Select(p => p.GetProperty("ts").GetDateTimeOffset()));
        for (var i = 0; i < expected.Count; i++)
        {
            AssertPoint(expected[i].ToList(), points[i]);
        }
    }

    [Fact]
    public async Task Get_NoBucket_PicksOneByRange()
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", MetricsRows.Generate(20));

        var hours = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance/timeseries" + MetricsApi.Query(from: MetricsRows.Start, to: MetricsRows.Start.AddDays(2)));
        var days = await MetricsApi.GetAsync(setup.Gateway, "/api/metrics/ai-performance/timeseries");

        Assert.Equal("hour", hours.GetProperty("bucket").GetString());
        Assert.Equal("day", days.GetProperty("bucket").GetString());
    }

    private static void AssertPoint(List<PerfLogRecord> rows, JsonElement point)
    {
        var streams = rows.Where(r => r.Stream).ToList();
        Assert.Equal(rows.Count, point.GetProperty("requests").GetInt64());
        Assert.Equal(rows.Count(r => r.CacheStatus == "hit"), point.GetProperty("cache_hits").GetInt64());
        Assert.Equal((double)rows.Count(r => r.CacheStatus == "hit") / rows.Count, point.GetProperty("cache_hit_rate").GetDouble());
        Assert.Equal(rows.Count(r => r.DedupeRole == "follower"), point.GetProperty("dedupe_followers").GetInt64());
        Assert.Equal(rows.Sum(r => r.CostUsd ?? 0m), point.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(rows.Sum(r => r.SavedUsd ?? 0m), point.GetProperty("saved_usd").GetDecimal());
        Assert.Equal(rows.Sum(r => r.PromptTokens), point.GetProperty("prompt_tokens").GetInt64());
        Assert.Equal(rows.Sum(r => r.CompletionTokens), point.GetProperty("completion_tokens").GetInt64());
        Assert.Equal(streams.Count, point.GetProperty("streams").GetInt64());
        Assert.Equal(streams.Count(r => r.CacheStatus == "hit"), point.GetProperty("stream_cache_replays").GetInt64());
        Assert.Equal(streams.Count(r => r.DedupeRole == "follower"), point.GetProperty("stream_followers").GetInt64());
        Assert.Equal(streams.Count(ExpectedMetrics.IsDrop), point.GetProperty("stream_drops").GetInt64());
        Assert.Equal(streams.Count(ExpectedMetrics.IsResume), point.GetProperty("stream_resumes").GetInt64());
        Assert.Equal(streams.Count(r => ExpectedMetrics.IsResume(r) && r.ClientAttempt >= 2), point.GetProperty("stream_retried_resumes").GetInt64());
        Assert.Equal(rows.Count(r => r.ClientFallback), point.GetProperty("stream_fallbacks").GetInt64());
        Assert.Equal(rows.Count(ExpectedMetrics.IsStop), point.GetProperty("stream_stops").GetInt64());
        Assert.Equal(streams.Count(r => r.CacheStatus != "hit" && !ExpectedMetrics.IsResume(r)), point.GetProperty("live_streams").GetInt64());
        Assert.Equal(streams.Sum(r => r.CompletionTokens), point.GetProperty("stream_completion_tokens").GetInt64());
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(rows.Select(r => r.DurationMs), 0.5), MetricsApi.Double(point, "duration_p50_ms"), "duration p50");
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(rows.Select(r => r.DurationMs), 0.95), MetricsApi.Double(point, "duration_p95_ms"), "duration p95");
        var ttfts = rows.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value).ToList();
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(ttfts, 0.5), MetricsApi.Double(point, "ttft_p50_ms"), "ttft p50");
        MetricsApi.AssertClose(ExpectedMetrics.Percentile(ttfts, 0.95), MetricsApi.Double(point, "ttft_p95_ms"), "ttft p95");
    }

    private static DateTimeOffset BucketStart(DateTimeOffset ts, string bucket)
    {
        var utc = ts.UtcDateTime;
        var start = bucket switch
        {
            "minute" => utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerMinute)),
            "hour" => utc.AddTicks(-(utc.Ticks % TimeSpan.TicksPerHour)),
            _ => utc.Date,
        };
        return new DateTimeOffset(start, TimeSpan.Zero);
    }
}
