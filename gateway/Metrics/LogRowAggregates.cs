using AiGateway.Transforms.Caching;
namespace AiGateway.Metrics;

/// <summary>The embedded store's aggregates over log rows in C#: the same figures Postgres computes in SQL.</summary>
internal static class LogRowAggregates
{
    /// <summary>Latency and followers of a group of rows.</summary>
    public static LatencyGroup Latency(string key, IReadOnlyCollection<LogRow> rows)
    {
        var durations = rows.Select(r => r.DurationMs).Order().ToList();
        var ttfts = rows.Where(r => r.TtftMs is not null).Select(r => r.TtftMs!.Value).Order().ToList();
        return new LatencyGroup(key, rows.Count, rows.Count(r => r.DedupeRole == "follower"),
            Percentile.Continuous(durations, 0.5), Percentile.Continuous(durations, 0.95),
            Percentile.Continuous(ttfts, 0.5), Percentile.Continuous(ttfts, 0.95));
    }

    /// <summary>The rows as cost groups per (route, model), as the rollup would hold them.</summary>
    public static IEnumerable<CostGroup> Costs(IEnumerable<LogRow> rows)
        => rows.GroupBy(r => (r.Route, r.Model)).Select(g => new CostGroup(g.Key.Route, g.Key.Model, g.Count(), g.Count(r => r.CacheStatus == "hit"),
            g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.CostUsd ?? 0m), g.Sum(r => r.SavedUsd ?? 0m)));

    /// <summary>One series point from the rows of its bucket.</summary>
    public static TimeSeriesPoint Point(DateTimeOffset bucket, IReadOnlyCollection<LogRow> rows)
    {
        var latency = Latency("", rows);
        return new TimeSeriesPoint
        {
            Ts = bucket,
            Requests = rows.Count,
            CacheHits = rows.Count(r => r.CacheStatus == "hit"),
            DedupeFollowers = latency.DedupeFollowers,
            CostUsd = Money.Normalize(rows.Sum(r => r.CostUsd ?? 0m)),
            SavedUsd = Money.Normalize(rows.Sum(r => r.SavedUsd ?? 0m)),
            PromptTokens = rows.Sum(r => r.PromptTokens),
            CompletionTokens = rows.Sum(r => r.CompletionTokens),
            Streams = rows.Count(r => r.Stream),
            LiveStreams = rows.Count(r => r.Stream && r.CacheStatus != "hit" && !r.IsResume),
            StreamCacheReplays = rows.Count(r => r.Stream && r.CacheStatus == "hit"),
            StreamFollowers = rows.Count(r => r.Stream && r.DedupeRole == "follower"),
            StreamDrops = rows.Count(r => r.IsDrop),
            StreamResumes = rows.Count(r => r.IsResume),
            StreamRetriedResumes = rows.Count(r => r.IsRetriedResume),
            StreamFallbacks = rows.Count(r => r.ClientFallback),
            StreamStops = rows.Count(r => r.IsStop),
            StreamCompletionTokens = rows.Where(r => r.Stream).Sum(r => r.CompletionTokens),
            DurationP50Ms = latency.DurationP50Ms,
            DurationP95Ms = latency.DurationP95Ms,
            TtftP50Ms = latency.TtftP50Ms,
            TtftP95Ms = latency.TtftP95Ms,
        };
    }

    /// <summary>The first moment of the bucket holding <paramref name="ts"/>.</summary>
    public static DateTimeOffset BucketStart(DateTimeOffset ts, TimeBucket bucket)
    {
        var utc = ts.UtcDateTime;
        return bucket switch
        {
            TimeBucket.Minute => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, utc.Minute, 0, TimeSpan.Zero),
            TimeBucket.Hour => new DateTimeOffset(utc.Year, utc.Month, utc.Day, utc.Hour, 0, 0, TimeSpan.Zero),
            _ => new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero),
        };
    }
}
