using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using Npgsql;

namespace AiGateway.Tests.CostLog;

/// <summary>Log rows for tests, and the Postgres queries that read them back.</summary>
internal static class PerfLogRows
{
    /// <summary>The log's columns in table order.</summary>
    public const string Columns =
        "id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code, cache_status, dedupe_role, attempts, " +
        "prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd, duration_ms, ttft_ms, upstream_ms, request_hash, error, " +
        "client_attempt, client_fallback, usage_unreported";

    /// <summary>A row with every column set; <paramref name="n"/> varies the values.</summary>
    public static PerfLogRecord Create(int n, DateTimeOffset ts, string org = "org-a", string? route = "dominus.analyze", string model = "gpt-4o-mini")
        => new()
        {
            Ts = ts,
            OrgId = org,
            Route = route,
            Endpoint = "/v1/chat/completions",
            ModelRequested = model,
            ModelUsed = model,
            Mode = n % 3 == 0 ? "auto:cheap" : null,
            Stream = n % 2 == 0,
            StatusCode = 200,
            CacheStatus = n % 4 == 0 ? "hit" : "miss",
            DedupeRole = n % 5 == 0 ? "follower" : null,
            Attempts = n % 4 == 0 ? 0 : 1,
            PromptTokens = 1000 + n,
            CachedTokens = n % 7,
            CompletionTokens = 10 + n,
            UsageEstimated = n % 6 == 0,
            CostUsd = n % 4 == 0 ? 0m : 0.0000001234m * (n + 1),
            SavedUsd = n % 4 == 0 ? 0.0001234567m + n : null,
            DurationMs = 100 + n,
            TtftMs = n % 2 == 0 ? 20 + n : null,
            UpstreamMs = n % 4 == 0 ? null : 90 + n,
            RequestHash = $"{n:x64}",
            Error = n % 9 == 0 ? "upstream_timeout" : null,
            ClientAttempt = n % 3 == 1 ? n % 4 : null,
            ClientFallback = n % 8 == 3,
            UsageUnreported = n % 10 == 7,
        };

    /// <summary>Rows <c>0..count-1</c> at <paramref name="ts"/> plus a millisecond per row.</summary>
    public static List<PerfLogRecord> Batch(int count, DateTimeOffset ts, int first = 0, string org = "org-a", string? route = "dominus.analyze", string model = "gpt-4o-mini")
        => Enumerable.Range(first, count).Select(n => Create(n, ts.AddMilliseconds(n), org, route, model)).ToList();

    /// <summary>Rows in <c>ai_performance_logs</c>.</summary>
    public static async Task<long> CountAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM ai_performance_logs", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>Counts rows, and 0 when the database cannot be reached yet.</summary>
    public static async Task<long> CountOrZeroAsync(string connectionString)
    {
        try
        {
            return await CountAsync(connectionString);
        }
        catch (NpgsqlException)
        {
            return 0;
        }
    }

    /// <summary>Every row of <c>ai_performance_logs</c>, ordered by id.</summary>
    public static async Task<List<PerfLogRecord>> ReadAllAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT {Columns} FROM ai_performance_logs ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<PerfLogRecord>();
        while (await reader.ReadAsync())
        {
            rows.Add(new PerfLogRecord
            {
                Id = reader.GetGuid(0),
                Ts = reader.GetFieldValue<DateTimeOffset>(1),
                OrgId = reader.GetString(2),
                Route = reader.IsDBNull(3) ? null : reader.GetString(3),
                Endpoint = reader.GetString(4),
                ModelRequested = reader.IsDBNull(5) ? null : reader.GetString(5),
                ModelUsed = reader.IsDBNull(6) ? null : reader.GetString(6),
                Mode = reader.IsDBNull(7) ? null : reader.GetString(7),
                Stream = reader.GetBoolean(8),
                StatusCode = reader.GetInt32(9),
                CacheStatus = reader.GetString(10),
                DedupeRole = reader.IsDBNull(11) ? null : reader.GetString(11),
                Attempts = reader.GetInt32(12),
                PromptTokens = reader.GetInt64(13),
                CachedTokens = reader.GetInt64(14),
                CompletionTokens = reader.GetInt64(15),
                UsageEstimated = reader.GetBoolean(16),
                CostUsd = reader.IsDBNull(17) ? null : reader.GetDecimal(17),
                SavedUsd = reader.IsDBNull(18) ? null : reader.GetDecimal(18),
                DurationMs = reader.GetInt32(19),
                TtftMs = reader.IsDBNull(20) ? null : reader.GetInt32(20),
                UpstreamMs = reader.IsDBNull(21) ? null : reader.GetInt32(21),
                RequestHash = reader.GetString(22),
                Error = reader.IsDBNull(23) ? null : reader.GetString(23),
                ClientAttempt = reader.IsDBNull(24) ? null : reader.GetInt32(24),
                ClientFallback = reader.GetBoolean(25),
                UsageUnreported = reader.GetBoolean(26),
            });
        }

        return rows;
    }

    /// <summary>Asserts that two rows hold the same values in every column (money compared as exact decimals).</summary>
    public static void AssertSame(PerfLogRecord expected, PerfLogRecord actual)
    {
        foreach (var property in typeof(PerfLogRecord).GetProperties().Where(p => p.Name != nameof(PerfLogRecord.Usage)))
        {
            Xunit.Assert.True(Equals(property.GetValue(expected), property.GetValue(actual)),
                $"{property.Name}: expected {property.GetValue(expected)}, stored {property.GetValue(actual)}");
        }
    }

    /// <summary>
    /// <c>ai_cost_daily</c> then <c>ai_cost_monthly</c>, and the same rollups computed independently from the log, each
    /// as sorted text lines (monthly ones prefixed <c>month:</c>), so a test can assert they are equal.
    /// </summary>
    public static async Task<(List<string> Rollup, List<string> FromLog)> RollupAndLogAsync(string connectionString)
    {
        const string rollup = """
            SELECT day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd
            FROM ai_cost_daily ORDER BY 1, 2, 3, 4
            """;
        const string monthly = """
            SELECT 'month:' || month, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd
            FROM ai_cost_monthly ORDER BY 1, 2, 3, 4
            """;
        const string monthlyFromLog = """
            SELECT 'month:' || date_trunc('month', ts AT TIME ZONE 'UTC')::date, org_id, coalesce(route, ''), coalesce(model_used, model_requested, ''),
                   count(*), sum(CASE WHEN cache_status = 'hit' THEN 1 ELSE 0 END), sum(prompt_tokens), sum(completion_tokens),
                   coalesce(sum(cost_usd), 0)::numeric(20,10), coalesce(sum(saved_usd), 0)::numeric(20,10)
            FROM ai_performance_logs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """;
        const string fromLog = """
            SELECT (ts AT TIME ZONE 'UTC')::date, org_id, coalesce(route, ''), coalesce(model_used, model_requested, ''),
                   count(*), sum(CASE WHEN cache_status = 'hit' THEN 1 ELSE 0 END), sum(prompt_tokens), sum(completion_tokens),
                   coalesce(sum(cost_usd), 0)::numeric(20,10), coalesce(sum(saved_usd), 0)::numeric(20,10)
            FROM ai_performance_logs GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            """;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        return ([.. await LinesAsync(connection, rollup), .. await LinesAsync(connection, monthly)],
                [.. await LinesAsync(connection, fromLog), .. await LinesAsync(connection, monthlyFromLog)]);
    }

    private static async Task<List<string>> LinesAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            var values = new object[reader.FieldCount];
            reader.GetValues(values);
            lines.Add(string.Join("|", values.Select(v => v switch
            {
                DateOnly day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                DateTime day => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                _ => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture),
            })));
        }

        return lines;
    }
}
