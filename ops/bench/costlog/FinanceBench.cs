using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace CostLogBench;

/// <summary>
/// Finance and metrics queries over a generated log: rows made by SQL (<c>generate_series</c>, INSERT … SELECT, two
/// connections at once) straight into <c>ai_performance_logs</c>, its <c>ai_cost_daily</c> rollup built from them in
/// one statement (what the writer keeps current row by row), then each query timed on the client, warm, several times.
/// </summary>
internal sealed class FinanceBench(BenchDatabase database, BenchOptions options)
{
    public static readonly string[] RouteNames = ["chat", "search", "summarize", "classify", "extract", "translate", "agent", "support", "rerank", "draft", "review", "ocr"];

    // Model, then USD per 1M input, cached input and output tokens.
    private const string Models = "(ARRAY['gpt-4o-mini','gpt-4.1-nano','gpt-5-mini','gpt-4.1'])";
    private const string InputPrices = "(ARRAY[0.15,0.10,0.25,2.00]::float8[])";
    private const string CachedPrices = "(ARRAY[0.075,0.025,0.025,0.50]::float8[])";
    private const string OutputPrices = "(ARRAY[0.60,0.40,2.00,8.00]::float8[])";

    /// <summary>The month finance query of README.md, word for word.</summary>
    public const string ReadmeRollupQuery = """
        SELECT org_id, route, sum(cost_usd) AS cost, sum(saved_usd) AS saved, sum(cache_hits)::float / sum(requests) AS hit_rate
        FROM ai_cost_monthly
        WHERE month = date_trunc('month', now() - interval '1 month')
        GROUP BY 1, 2 ORDER BY cost DESC;
        """;

    /// <summary>The same question asked of the daily rollup (30 days of rows summed), for comparison.</summary>
    public const string DailyRollupQuery = """
        SELECT org_id, route, sum(cost_usd) AS cost, sum(saved_usd) AS saved, sum(cache_hits)::float / sum(requests) AS hit_rate
        FROM ai_cost_daily
        WHERE day >= date_trunc('month', now() - interval '1 month') AND day < date_trunc('month', now())
        GROUP BY 1, 2 ORDER BY cost DESC;
        """;

    /// <summary>The metrics API's time series (gateway/Metrics/PostgresAiMetricsStore): the last 24 h of the log by hour, every org.</summary>
    public const string MetricsDayQuery = """
        SELECT date_trunc('hour', ts AT TIME ZONE 'UTC') AS bucket, count(*),
               count(*) FILTER (WHERE cache_status = 'hit'), count(*) FILTER (WHERE dedupe_role = 'follower'),
               coalesce(sum(cost_usd), 0), coalesce(sum(saved_usd), 0),
               coalesce(sum(prompt_tokens), 0)::bigint, coalesce(sum(completion_tokens), 0)::bigint,
               percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY duration_ms),
               percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ttft_ms)
        FROM ai_performance_logs
        WHERE ts >= now() - interval '24 hours' AND ts < now()
        GROUP BY 1 ORDER BY 1;
        """;

    /// <summary>One org's last 7 days on the log, by route: latency percentiles, hit rate and cost (the org/ts index).</summary>
    public const string OrgWeekQuery = """
        SELECT coalesce(route, ''), count(*), count(*) FILTER (WHERE cache_status = 'hit')::float / count(*),
               percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms), sum(cost_usd), sum(saved_usd)
        FROM ai_performance_logs
        WHERE org_id = 'org-007' AND ts >= now() - interval '7 days' AND ts < now()
        GROUP BY 1 ORDER BY 5 DESC NULLS LAST;
        """;

    public sealed record QueryTiming(string Name, double MedianMs, double MinMs, double MaxMs, int Rows);

    public sealed record DataShape(long LogRows, long RollupRows, long RollupRowsLastMonth, string LogSize, string RollupSize, double GenerateSeconds, double RollupSeconds, double VacuumSeconds);

    public async Task<DataShape> GenerateAsync()
    {
        await database.ExecuteAsync("TRUNCATE ai_performance_logs, ai_cost_daily, ai_cost_monthly");
        var end = DateTime.UtcNow;
        var months = ((end.Year * 12) + end.Month) - ((end.AddDays(-options.Days).Year * 12) + end.AddDays(-options.Days).Month) + 1;
        await database.ExecuteAsync(string.Create(CultureInfo.InvariantCulture,
            $"SELECT aigw_ensure_log_partitions(date_trunc('month', now() - interval '{options.Days} days'), {months + 1})"));

        var watch = Stopwatch.StartNew();
        // Bulk load: the log's primary key and indexes are dropped and built again afterwards from their own definitions
        // (a sorted build beats ten million index insertions), so the table ends up exactly as the migrations made it.
        var rebuild = await DropIndexesAsync();

        // Chunks of the series, two connections at a time (this box has two cores; Postgres needs one per INSERT).
        const int chunks = 8;
        var per = (options.LogRows + chunks - 1) / chunks;
        var queue = new System.Collections.Concurrent.ConcurrentQueue<(long From, long To)>(
            Enumerable.Range(0, chunks).Select(c => (c * per, Math.Min(options.LogRows, (c + 1) * per))).Where(r => r.Item1 < r.Item2));
        var stepMicroseconds = (double)options.Days * 86_400_000_000 / options.LogRows;
        var endText = end.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            await using var connection = await database.OpenAsync();
            while (queue.TryDequeue(out var range))
            {
                await using var insert = new NpgsqlCommand(InsertSql(range.From, range.To, stepMicroseconds, endText), connection) { CommandTimeout = 600 };
                await insert.ExecuteNonQueryAsync();
            }
        }));
        foreach (var sql in rebuild)
        {
            await database.ExecuteAsync(sql);
        }

        var generateSeconds = watch.Elapsed.TotalSeconds;

        watch.Restart();
        await database.ExecuteAsync("""
            INSERT INTO ai_cost_daily (day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
            SELECT (ts AT TIME ZONE 'UTC')::date, org_id, coalesce(route, ''), coalesce(model_used, model_requested, ''),
                   count(*), count(*) FILTER (WHERE cache_status = 'hit'), sum(prompt_tokens), sum(completion_tokens),
                   coalesce(sum(cost_usd), 0), coalesce(sum(saved_usd), 0)
            FROM ai_performance_logs GROUP BY 1, 2, 3, 4 ORDER BY 1
            """);
        await database.ExecuteAsync("""
            INSERT INTO ai_cost_monthly (month, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
            SELECT date_trunc('month', day)::date, org_id, route, model,
                   sum(requests), sum(cache_hits), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(saved_usd)
            FROM ai_cost_daily GROUP BY 1, 2, 3, 4
            """);
        var rollupSeconds = watch.Elapsed.TotalSeconds;

        // Statistics and the visibility map, as autovacuum would have left them on tables this size (it vacuums after
        // inserts too, since Postgres 13): index-only scans of the rollup need pages marked all-visible.
        watch.Restart();
        await database.ExecuteAsync("ANALYZE ai_performance_logs");
        await database.ExecuteAsync("VACUUM ANALYZE ai_cost_daily");
        await database.ExecuteAsync("VACUUM ANALYZE ai_cost_monthly");
        var vacuumSeconds = watch.Elapsed.TotalSeconds;

        return new DataShape(
            await database.ScalarAsync<long>("SELECT count(*) FROM ai_performance_logs"),
            await database.ScalarAsync<long>("SELECT count(*) FROM ai_cost_daily"),
            await database.ScalarAsync<long>("SELECT count(*) FROM ai_cost_daily WHERE day >= date_trunc('month', now() - interval '1 month') AND day < date_trunc('month', now())"),
            await database.ScalarAsync<string>("SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'ai_performance_logs'::regclass"),
            await database.ScalarAsync<string>("SELECT pg_size_pretty(pg_total_relation_size('ai_cost_daily'))"),
            generateSeconds,
            rollupSeconds,
            vacuumSeconds);
    }

    // Returns the statements that recreate what it dropped, primary key first.
    private async Task<List<string>> DropIndexesAsync()
    {
        var rebuild = new List<string>();
        var drop = new List<string>();
        await using var connection = await database.OpenAsync();
        await using (var constraints = new NpgsqlCommand(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'ai_performance_logs'::regclass AND contype = 'p'", connection))
        await using (var reader = await constraints.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                drop.Add($"ALTER TABLE ai_performance_logs DROP CONSTRAINT {reader.GetString(0)}");
                rebuild.Add($"ALTER TABLE ai_performance_logs ADD CONSTRAINT {reader.GetString(0)} {reader.GetString(1)}");
            }
        }

        await using (var indexes = new NpgsqlCommand(
            """
            SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'ai_performance_logs'::regclass AND NOT i.indisprimary
            """, connection))
        await using (var reader = await indexes.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                drop.Add($"DROP INDEX {reader.GetString(0)}");
                // On the partitioned table the definition reads "ON ONLY", which would not build the partitions' indexes.
                rebuild.Add(reader.GetString(1).Replace(" ON ONLY ", " ON ", StringComparison.Ordinal));
            }
        }

        foreach (var sql in drop)
        {
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        return rebuild;
    }

    public async Task<QueryTiming> TimeAsync(string name, string sql)
    {
        await using var connection = await database.OpenAsync();
        var times = new List<double>();
        var rows = 0;
        for (var run = 0; run <= options.QueryRuns; run++)
        {
            var watch = Stopwatch.StartNew();
            await using (var command = new NpgsqlCommand(sql, connection))
            await using (var reader = await command.ExecuteReaderAsync())
            {
                rows = 0;
                while (await reader.ReadAsync())
                {
                    rows++;
                }
            }

            // Run 0 warms the caches and the plan; it is not counted.
            if (run > 0)
            {
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
        }

        if (options.Explain)
        {
            await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + sql, connection);
            await using var reader = await explain.ExecuteReaderAsync();
            Console.Error.WriteLine($"--- {name}");
            while (await reader.ReadAsync())
            {
                Console.Error.WriteLine(reader.GetString(0));
            }
        }

        return new QueryTiming(name, Stats.Median(times), times.Min(), times.Max(), rows);
    }

    // Rows i in [from, to): ts steps back from `end`; every column is a cheap hash of i, so the load costs little more
    // than the inserts. Ids are random (the primary key is built after the load, by sorting, so their order costs nothing).
    private string InsertSql(long from, long to, double stepMicroseconds, string end) => string.Create(CultureInfo.InvariantCulture, $"""
        INSERT INTO ai_performance_logs (id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code,
            cache_status, dedupe_role, attempts, prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd,
            duration_ms, ttft_ms, upstream_ms, request_hash, error)
        SELECT gen_random_uuid(),
               a.ts,
               'org-' || lpad((a.r % {options.Orgs})::text, 3, '0'),
               CASE WHEN (a.r / 7) % 20 = 0 THEN NULL ELSE (ARRAY['{string.Join("','", RouteNames[..options.Routes])}'])[1 + (a.r / 101) % {options.Routes}] END,
               '/v1/chat/completions',
               {Models}[b.m], {Models}[b.m],
               NULL,
               (a.r / 13) % 3 = 0,
               b.status,
               CASE WHEN b.hit THEN 'hit' ELSE 'miss' END,
               CASE WHEN b.hit THEN NULL WHEN (a.r / 23) % 33 = 0 THEN 'follower' ELSE 'leader' END,
               CASE WHEN b.hit THEN 0 WHEN (a.r / 29) % 50 = 0 THEN 2 ELSE 1 END,
               CASE WHEN b.hit THEN 0 ELSE b.prompt END,
               CASE WHEN b.hit THEN 0 ELSE b.cached END,
               CASE WHEN b.hit THEN 0 ELSE b.completion END,
               false,
               CASE WHEN b.hit THEN 0 ELSE c.cost END,
               CASE WHEN b.hit THEN c.cost END,
               b.duration,
               CASE WHEN (a.r / 13) % 3 = 0 THEN 20 + (a.r / 47) % 500 END,
               CASE WHEN b.hit THEN NULL ELSE b.duration - 5 END,
               lpad(to_hex(a.r), 64, '0'),
               CASE WHEN b.status <> 200 THEN 'http_' || b.status END
        FROM generate_series({from}::bigint, {to - 1}::bigint) AS i,
             LATERAL (SELECT timestamptz '{end}+00' - (i * {stepMicroseconds:0.###}) * interval '1 microsecond' AS ts,
                             (i * 2654435761) % 4294967296 AS r) a,
             LATERAL (SELECT (1 + (a.r / 1009) % 4)::int AS m, (a.r / 19) % 5 = 0 AS hit,
                             CASE (a.r / 17) % 100 WHEN 0 THEN 500 WHEN 1 THEN 429 ELSE 200 END AS status,
                             100 + (a.r / 31) % 3900 AS prompt, CASE WHEN (a.r / 37) % 4 = 0 THEN (100 + (a.r / 31) % 3900) / 2 ELSE 0 END AS cached,
                             10 + (a.r / 41) % 800 AS completion, (50 + (a.r / 43) % 3000)::int AS duration) b,
             LATERAL (SELECT (((b.prompt - b.cached) * {InputPrices}[b.m] + b.cached * {CachedPrices}[b.m] + b.completion * {OutputPrices}[b.m]) / 1000000)::numeric(20,10) AS cost) c
        """);
}
