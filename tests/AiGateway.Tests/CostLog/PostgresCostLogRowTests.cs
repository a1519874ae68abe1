using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.CostLog;

/// <summary>The cost log's row tests against real Postgres, each in a fresh database.</summary>
public sealed class PostgresCostLogRowTests : CostLogRowTests, IAsyncLifetime
{
    private TestServices.TempDatabase? _database;

    private string ConnectionString => _database?.ConnectionString ?? throw new InvalidOperationException("The database is created before each test.");

    /// <inheritdoc/>
    public async Task InitializeAsync() => _database = await TestServices.CreateDatabaseAsync();

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    /// <summary>Also groups the log in SQL: <c>ai_cost_daily</c> equals what Postgres itself sums from <c>ai_performance_logs</c>.</summary>
    internal override async Task AssertRollupInStoreAsync(TestGateway gateway)
    {
        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(ConnectionString);
        Assert.NotEmpty(rollup);
        Assert.Equal(fromLog, rollup);
    }

    /// <inheritdoc/>
    internal override Task<TestGateway> StartGatewayAsync(Uri upstream, IDictionary<string, string>? settings = null)
    {
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["ConnectionStrings:Postgres"] = ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        };
        return TestGateway.StartAsync(upstream, all);
    }

    /// <inheritdoc/>
    internal override Task<List<PerfLogRecord>> ReadRowsAsync(TestGateway gateway) => PerfLogRows.ReadAllAsync(ConnectionString);

    /// <inheritdoc/>
    internal override async Task<List<DailyCostRow>> ReadRollupAsync(TestGateway gateway)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd FROM ai_cost_daily", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<DailyCostRow>();
        while (await reader.ReadAsync())
        {
            rows.Add(new DailyCostRow(
                reader.GetFieldValue<DateOnly>(0).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                reader.GetInt64(4),
                reader.GetInt64(5),
                reader.GetInt64(6),
                reader.GetInt64(7),
                reader.GetDecimal(8),
                reader.GetDecimal(9)));
        }

        return rows.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
    }

    /// <inheritdoc/>
    internal override async Task InsertPriceAsync(TestGateway gateway, ModelPrice price)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO model_prices (model, input_per_1m, cached_input_per_1m, output_per_1m, effective_from) VALUES (@model, @input, @cached, @output, @from)",
            connection);
        insert.Parameters.AddWithValue("model", price.Model);
        insert.Parameters.AddWithValue("input", price.InputPer1M);
        insert.Parameters.AddWithValue("cached", price.CachedInputPer1M);
        insert.Parameters.AddWithValue("output", price.OutputPer1M);
        insert.Parameters.AddWithValue("from", price.EffectiveFrom.ToUniversalTime());
        await insert.ExecuteNonQueryAsync();
    }
}
