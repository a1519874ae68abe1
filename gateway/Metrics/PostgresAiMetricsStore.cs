using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Metrics;

/// <summary>
/// The metrics over Postgres: costs from <c>ai_cost_daily</c> for whole days plus the log for partial ones, and one scan
/// of the log (bounded by the filters, so partitions are pruned and <c>(org_id, ts)</c> serves an org) for the
/// <c>percentile_cont</c> latencies grouped by model, by route and overall.
/// </summary>
internal sealed class PostgresAiMetricsStore(PostgresDatabase database) : IAiMetricsStore
{
    private const string ModelKey = "coalesce(model_used, model_requested, '')";

    /// <inheritdoc/>
    public async Task<AiMetricsData> ReadAsync(AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var costs = await ReadCostsAsync(connection, filter, cancellationToken);
        var (total, byModel, byRoute) = await ReadLatencyAsync(connection, filter, cancellationToken);
        var top = await ReadTopExpensiveAsync(connection, filter, cancellationToken);
        return new AiMetricsData(costs, total, byModel, byRoute, top);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TimeSeriesPoint>> ReadSeriesAsync(AiMetricsFilter filter, TimeBucket bucket, int maxPoints, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand { Connection = connection };
        var where = LogWhere(command, filter, filter.From, filter.To, "s");
        command.Parameters.AddWithValue("unit", NpgsqlDbType.Text, bucket.ToString().ToLowerInvariant());
        command.Parameters.AddWithValue("max", maxPoints);
        command.CommandText = $"""
            SELECT * FROM (
                SELECT date_trunc(@unit, ts AT TIME ZONE 'UTC') AS bucket,
                       count(*),
                       count(*) FILTER (WHERE cache_status = 'hit'),
                       count(*) FILTER (WHERE dedupe_role = 'follower'),
                       coalesce(sum(cost_usd), 0),
                       coalesce(sum(saved_usd), 0),
                       coalesce(sum(prompt_tokens), 0)::bigint,
                       coalesce(sum(completion_tokens), 0)::bigint,
                       count(*) FILTER (WHERE stream),
                       count(*) FILTER (WHERE stream AND cache_status <> 'hit' AND NOT {StreamRowKind.ResumeSql}),
                       count(*) FILTER (WHERE stream AND cache_status = 'hit'),
                       count(*) FILTER (WHERE stream AND dedupe_role = 'follower'),
                       count(*) FILTER (WHERE {StreamRowKind.DropSql}),
                       count(*) FILTER (WHERE {StreamRowKind.ResumeSql}),
                       coalesce(sum(completion_tokens) FILTER (WHERE stream), 0)::bigint,
                       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY duration_ms),
                       percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ttft_ms),
                       count(*) FILTER (WHERE {StreamRowKind.RetriedResumeSql}),
                       count(*) FILTER (WHERE {StreamRowKind.FallbackSql}),
                       count(*) FILTER (WHERE {StreamRowKind.StopSql})
                FROM ai_performance_logs
                WHERE {where}
                GROUP BY 1
                ORDER BY 1 DESC
                LIMIT @max
            ) p ORDER BY 1
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var points = new List<TimeSeriesPoint>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var duration = Pair(reader, 15);
            var ttft = Pair(reader, 16);
            points.Add(new TimeSeriesPoint
            {
                Ts = new DateTimeOffset(DateTime.SpecifyKind(reader.GetDateTime(0), DateTimeKind.Utc)),
                Requests = reader.GetInt64(1),
                CacheHits = reader.GetInt64(2),
                DedupeFollowers = reader.GetInt64(3),
                CostUsd = Money.Normalize(reader.GetDecimal(4)),
                SavedUsd = Money.Normalize(reader.GetDecimal(5)),
                PromptTokens = reader.GetInt64(6),
                CompletionTokens = reader.GetInt64(7),
                Streams = reader.GetInt64(8),
                LiveStreams = reader.GetInt64(9),
                StreamCacheReplays = reader.GetInt64(10),
                StreamFollowers = reader.GetInt64(11),
                StreamDrops = reader.GetInt64(12),
                StreamResumes = reader.GetInt64(13),
                StreamCompletionTokens = reader.GetInt64(14),
                StreamRetriedResumes = reader.GetInt64(17),
                StreamFallbacks = reader.GetInt64(18),
                StreamStops = reader.GetInt64(19),
                DurationP50Ms = duration.P50,
                DurationP95Ms = duration.P95,
                TtftP50Ms = ttft.P50,
                TtftP95Ms = ttft.P95,
            });
        }

        return points;
    }

    private static async Task<List<CostGroup>> ReadCostsAsync(NpgsqlConnection connection, AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        var range = MetricsRange.Split(filter.From, filter.To);
        await using var command = new NpgsqlCommand { Connection = connection };
        var parts = new List<string>(3);
        if (range.UseRollup)
        {
            var where = new List<string> { "true" };
            if (range.RollupFrom is { } from)
            {
                where.Add("day >= @day_from");
                command.Parameters.AddWithValue("day_from", NpgsqlDbType.Date, from);
            }

            if (range.RollupTo is { } to)
            {
                where.Add("day < @day_to");
                command.Parameters.AddWithValue("day_to", NpgsqlDbType.Date, to);
            }

            AddEquals(command, where, "org_id", "org", filter.Org);
            AddEquals(command, where, "customer_id", "customer", filter.Customer);
            AddEquals(command, where, "route", "route", filter.Route);
            AddEquals(command, where, "model", "model", filter.Model);
            parts.Add($"""
                SELECT route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd
                FROM ai_cost_daily WHERE {string.Join(" AND ", where)}
                """);
        }

        for (var i = 0; i < range.LogRanges.Count; i++)
        {
            var (from, to) = range.LogRanges[i];
            parts.Add($"""
                SELECT coalesce(route, ''), {ModelKey}, 1, CASE WHEN cache_status = 'hit' THEN 1 ELSE 0 END, prompt_tokens, completion_tokens,
                       coalesce(cost_usd, 0), coalesce(saved_usd, 0)
                FROM ai_performance_logs WHERE {LogWhere(command, filter, from, to, "edge" + i)}
                """);
        }

        if (parts.Count == 0)
        {
            return [];
        }

        command.CommandText = $"""
            SELECT route, model, sum(requests)::bigint, sum(cache_hits)::bigint, sum(prompt_tokens)::bigint, sum(completion_tokens)::bigint,
                   sum(cost_usd), sum(saved_usd)
            FROM ({string.Join("\nUNION ALL\n", parts)}) AS g (route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
            GROUP BY route, model
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<CostGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new CostGroup(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetDecimal(6), reader.GetDecimal(7)));
        }

        return groups;
    }

    private static async Task<(LatencyGroup Total, List<LatencyGroup> ByModel, List<LatencyGroup> ByRoute)> ReadLatencyAsync(
        NpgsqlConnection connection, AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        // One scan for the three groupings; grouping() tells which set a row belongs to (1 = that column aggregated away).
        command.CommandText = $"""
            SELECT grouping(model), grouping(route), model, route, count(*), count(*) FILTER (WHERE dedupe_role = 'follower'),
                   percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY duration_ms),
                   percentile_cont(ARRAY[0.5, 0.95]) WITHIN GROUP (ORDER BY ttft_ms)
            FROM (
                SELECT {ModelKey} AS model, coalesce(route, '') AS route, dedupe_role, duration_ms, ttft_ms
                FROM ai_performance_logs WHERE {LogWhere(command, filter, filter.From, filter.To, "l")}
            ) l
            GROUP BY GROUPING SETS ((model), (route), ())
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var total = new LatencyGroup("", 0, 0, null, null, null, null);
        var byModel = new List<LatencyGroup>();
        var byRoute = new List<LatencyGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var modelGrouped = reader.GetInt32(0) == 0;
            var routeGrouped = reader.GetInt32(1) == 0;
            var duration = Pair(reader, 6);
            var ttft = Pair(reader, 7);
            var key = modelGrouped ? reader.GetString(2) : routeGrouped ? reader.GetString(3) : "";
            var group = new LatencyGroup(key, reader.GetInt64(4), reader.GetInt64(5), duration.P50, duration.P95, ttft.P50, ttft.P95);
            if (modelGrouped)
            {
                byModel.Add(group);
            }
            else if (routeGrouped)
            {
                byRoute.Add(group);
            }
            else
            {
                total = group;
            }
        }

        return (total, byModel, byRoute);
    }

    private static async Task<List<ExpensiveCall>> ReadTopExpensiveAsync(NpgsqlConnection connection, AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand { Connection = connection };
        command.CommandText = $"""
            SELECT id, ts, org_id, coalesce(route, ''), {ModelKey}, stream, prompt_tokens, completion_tokens, cost_usd, duration_ms
            FROM ai_performance_logs
            WHERE {LogWhere(command, filter, filter.From, filter.To, "t")} AND cost_usd > 0
            ORDER BY cost_usd DESC, ts DESC, id
            LIMIT {IAiMetricsStore.TopExpensiveCount}
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var calls = new List<ExpensiveCall>();
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(new ExpensiveCall(reader.GetGuid(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetBoolean(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetDecimal(8), reader.GetInt32(9)));
        }

        return calls;
    }

    // The log's WHERE clause for the filters within [from, to); parameters are named with prefix so that several ranges
    // can share one command.
    private static string LogWhere(NpgsqlCommand command, AiMetricsFilter filter, DateTimeOffset? from, DateTimeOffset? to, string prefix)
    {
        var where = new List<string> { "true" };
        if (from is { } f)
        {
            where.Add($"ts >= @{prefix}_from");
            command.Parameters.AddWithValue(prefix + "_from", NpgsqlDbType.TimestampTz, f.ToUniversalTime());
        }

        if (to is { } t)
        {
            where.Add($"ts < @{prefix}_to");
            command.Parameters.AddWithValue(prefix + "_to", NpgsqlDbType.TimestampTz, t.ToUniversalTime());
        }

        AddEquals(command, where, "org_id", prefix + "_org", filter.Org);
        AddEquals(command, where, "customer_id", prefix + "_customer", filter.Customer);
        AddEquals(command, where, "route", prefix + "_route", filter.Route);
        AddEquals(command, where, ModelKey, prefix + "_model", filter.Model);
        return string.Join(" AND ", where);
    }

    private static void AddEquals(NpgsqlCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is null)
        {
            return;
        }

        if (!command.Parameters.Contains(parameter))
        {
            command.Parameters.AddWithValue(parameter, NpgsqlDbType.Text, value);
        }

        where.Add($"{column} = @{parameter}");
    }

    private static (double? P50, double? P95) Pair(NpgsqlDataReader reader, int ordinal)
    {
        if (reader.IsDBNull(ordinal))
        {
            return (null, null);
        }

        var values = reader.GetFieldValue<double[]>(ordinal);
        return (values[0], values[1]);
    }
}
