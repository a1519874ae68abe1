using System.Globalization;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Metrics;

/// <summary>
/// The metrics over the embedded store: costs from <c>ai_cost_daily</c> for whole days plus the log for partial ones;
/// the log rows in range (indexed by <c>ts</c> and <c>(org_id, ts)</c>) are aggregated in C#, money as exact decimals
/// and percentiles as <c>percentile_cont</c> computes them.
/// </summary>
internal sealed class SqliteAiMetricsStore(EmbeddedDatabase database) : IAiMetricsStore
{
    private const string ModelKey = "coalesce(model_used, model_requested, '')";

    /// <inheritdoc/>
    public async Task<AiMetricsData> ReadAsync(AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await ReadLogAsync(connection, filter, cancellationToken);
        var range = MetricsRange.Split(filter.From, filter.To);
        List<CostGroup> costs = range.UseRollup ? await ReadRollupAsync(connection, filter, range, cancellationToken) : [];
        costs.AddRange(LogRowAggregates.Costs(rows.Where(r => range.LogRanges.Any(e => r.Ts >= e.From && r.Ts < e.To))));
        var top = rows.Where(r => r.CostUsd > 0)
            .OrderByDescending(r => r.CostUsd).ThenByDescending(r => r.Ts).ThenBy(r => r.Id)
            .Take(IAiMetricsStore.TopExpensiveCount)
            .Select(r => new ExpensiveCall(r.Id, r.Ts, r.OrgId, r.Route, r.Model, r.Stream, r.PromptTokens, r.CompletionTokens, r.CostUsd!.Value, r.DurationMs))
            .ToList();
        return new AiMetricsData(
            costs,
            LogRowAggregates.Latency("", rows),
            rows.GroupBy(r => r.Model, StringComparer.Ordinal).Select(g => LogRowAggregates.Latency(g.Key, g.ToList())).ToList(),
            rows.GroupBy(r => r.Route, StringComparer.Ordinal).Select(g => LogRowAggregates.Latency(g.Key, g.ToList())).ToList(),
            top);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<TimeSeriesPoint>> ReadSeriesAsync(AiMetricsFilter filter, TimeBucket bucket, int maxPoints, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await ReadLogAsync(connection, filter, cancellationToken);
        return rows.GroupBy(r => LogRowAggregates.BucketStart(r.Ts, bucket))
            .OrderByDescending(g => g.Key)
            .Take(maxPoints)
            .OrderBy(g => g.Key)
            .Select(g => LogRowAggregates.Point(g.Key, g.ToList()))
            .ToList();
    }

    private static async Task<List<CostGroup>> ReadRollupAsync(SqliteConnection connection, AiMetricsFilter filter, MetricsRange range, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string> { "1 = 1" };
        if (range.RollupFrom is { } from)
        {
            where.Add("day >= $day_from");
            command.Parameters.AddWithValue("$day_from", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        if (range.RollupTo is { } to)
        {
            where.Add("day < $day_to");
            command.Parameters.AddWithValue("$day_to", to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        AddEquals(command, where, "org_id", "$org", filter.Org);
        AddEquals(command, where, "customer_id", "$customer", filter.Customer);
        AddEquals(command, where, "route", "$route", filter.Route);
        AddEquals(command, where, "model", "$model", filter.Model);
        command.CommandText = $"""
            SELECT route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd
            FROM ai_cost_daily WHERE {string.Join(" AND ", where)}
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var groups = new List<CostGroup>();
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new CostGroup(reader.GetString(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), SqliteValues.ParseMoney(reader.GetString(6)), SqliteValues.ParseMoney(reader.GetString(7))));
        }

        return groups;
    }

    private static async Task<List<LogRow>> ReadLogAsync(SqliteConnection connection, AiMetricsFilter filter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        var where = new List<string> { "1 = 1" };
        if (filter.From is { } from)
        {
            where.Add("ts >= $from");
            command.Parameters.AddWithValue("$from", SqliteValues.Time(from));
        }

        if (filter.To is { } to)
        {
            where.Add("ts < $to");
            command.Parameters.AddWithValue("$to", SqliteValues.Time(to));
        }

        AddEquals(command, where, "org_id", "$org", filter.Org);
        AddEquals(command, where, "customer_id", "$customer", filter.Customer);
        AddEquals(command, where, "route", "$route", filter.Route);
        AddEquals(command, where, ModelKey, "$model", filter.Model);
        command.CommandText = $"""
            SELECT id, ts, org_id, coalesce(route, ''), {ModelKey}, stream, status_code, cache_status, dedupe_role, attempts,
                   prompt_tokens, completion_tokens, cost_usd, saved_usd, duration_ms, ttft_ms, upstream_ms, error, client_attempt, client_fallback
            FROM ai_performance_logs WHERE {string.Join(" AND ", where)}
            """;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<LogRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new LogRow(
                Guid.Parse(reader.GetString(0)),
                SqliteValues.ParseTime(reader.GetString(1)),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetString(4),
                reader.GetInt64(5) != 0,
                reader.GetInt32(6),
                reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8),
                reader.GetInt32(9),
                reader.GetInt64(10),
                reader.GetInt64(11),
                reader.IsDBNull(12) ? null : SqliteValues.ParseMoney(reader.GetString(12)),
                reader.IsDBNull(13) ? null : SqliteValues.ParseMoney(reader.GetString(13)),
                reader.GetInt32(14),
                reader.IsDBNull(15) ? null : reader.GetInt32(15),
                reader.IsDBNull(16) ? null : reader.GetInt32(16),
                reader.IsDBNull(17) ? null : reader.GetString(17),
                reader.IsDBNull(18) ? null : reader.GetInt32(18),
                reader.GetInt64(19) != 0));
        }

        return rows;
    }

    private static void AddEquals(SqliteCommand command, List<string> where, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            where.Add($"{column} = {parameter}");
            command.Parameters.AddWithValue(parameter, value);
        }
    }
}
