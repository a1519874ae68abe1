using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Tests.CostLog;

/// <summary>
/// The cost log's row tests against the embedded store: no Postgres connection string, rows read from the SQLite file
/// the gateway keeps in its <c>Gateway:DataDir</c> (<c>aigateway.db</c>, see <c>EmbeddedDatabase</c>).
/// </summary>
public sealed class SqliteCostLogRowTests : CostLogRowTests
{
    private const string LogColumns =
        "id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code, cache_status, dedupe_role, attempts, " +
        "prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd, duration_ms, ttft_ms, upstream_ms, request_hash, error";

    /// <inheritdoc/>
    internal override Task<TestGateway> StartGatewayAsync(Uri upstream, IDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>()) { ["Gateway:Log:FlushIntervalMs"] = "50" };
        return TestGateway.StartAsync(upstream, all);
    }

    /// <inheritdoc/>
    internal override async Task<List<PerfLogRecord>> ReadRowsAsync(TestGateway gateway)
    {
        await using var connection = await OpenAsync(gateway);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {LogColumns} FROM ai_performance_logs ORDER BY id";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<PerfLogRecord>();
        while (await reader.ReadAsync())
        {
            rows.Add(new PerfLogRecord
            {
                Id = Guid.Parse(reader.GetString(0)),
                Ts = SqliteValues.ParseTime(reader.GetString(1)),
                OrgId = reader.GetString(2),
                Route = reader.IsDBNull(3) ? null : reader.GetString(3),
                Endpoint = reader.GetString(4),
                ModelRequested = reader.IsDBNull(5) ? null : reader.GetString(5),
                ModelUsed = reader.IsDBNull(6) ? null : reader.GetString(6),
                Mode = reader.IsDBNull(7) ? null : reader.GetString(7),
                Stream = reader.GetInt64(8) != 0,
                StatusCode = reader.GetInt32(9),
                CacheStatus = reader.GetString(10),
                DedupeRole = reader.IsDBNull(11) ? null : reader.GetString(11),
                Attempts = reader.GetInt32(12),
                PromptTokens = reader.GetInt64(13),
                CachedTokens = reader.GetInt64(14),
                CompletionTokens = reader.GetInt64(15),
                UsageEstimated = reader.GetInt64(16) != 0,
                CostUsd = reader.IsDBNull(17) ? null : SqliteValues.ParseMoney(reader.GetString(17)),
                SavedUsd = reader.IsDBNull(18) ? null : SqliteValues.ParseMoney(reader.GetString(18)),
                DurationMs = reader.GetInt32(19),
                TtftMs = reader.IsDBNull(20) ? null : reader.GetInt32(20),
                UpstreamMs = reader.IsDBNull(21) ? null : reader.GetInt32(21),
                RequestHash = reader.GetString(22),
                Error = reader.IsDBNull(23) ? null : reader.GetString(23),
            });
        }

        return rows;
    }

    /// <inheritdoc/>
    internal override async Task<List<DailyCostRow>> ReadRollupAsync(TestGateway gateway)
    {
        await using var connection = await OpenAsync(gateway);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd FROM ai_cost_daily";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<DailyCostRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new DailyCostRow(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                SqliteValues.ParseMoney(reader.GetString(8)),
                SqliteValues.ParseMoney(reader.GetString(9))));
        }

        return rows.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    internal override async Task InsertPriceAsync(TestGateway gateway, ModelPrice price)
    {
        await using var connection = await OpenAsync(gateway);
        await using var insert = connection.CreateCommand();
        insert.CommandText = """
            INSERT INTO model_prices (model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from)
            VALUES ($model, $input, $cached, $output, $from)
            """;
        insert.Parameters.AddWithValue("$model", price.Model);
        insert.Parameters.AddWithValue("$input", SqliteValues.Money(price.InputPer1M));
        insert.Parameters.AddWithValue("$cached", SqliteValues.Money(price.CachedInputPer1M));
        insert.Parameters.AddWithValue("$output", SqliteValues.Money(price.OutputPer1M));
        insert.Parameters.AddWithValue("$from", SqliteValues.Time(price.EffectiveFrom));
        await insert.ExecuteNonQueryAsync();
    }

    private static async Task<SqliteConnection> OpenAsync(TestGateway gateway)
    {
        var path = Path.Combine(gateway.DataDir, "aigateway.db");
        Xunit.Assert.True(File.Exists(path), $"the embedded store {path} exists");
        // Not pooled: the gateway's dispose deletes the folder, and a pooled handle would keep the file open.
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false, DefaultTimeout = 30 }.ToString());
        await connection.OpenAsync();
        return connection;
    }
}
