using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AiGateway.Tests.CostLog;

public sealed class SqlitePerfLogStoreTests : IAsyncDisposable
{
    private static readonly DateTimeOffset Day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(1);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-costlog-").FullName;
    private readonly EmbeddedDatabase _database;
    private readonly SqlitePerfLogStore _store;

    public SqlitePerfLogStoreTests()
    {
        _database = new EmbeddedDatabase(_dataDir);
        _store = new SqlitePerfLogStore(_database);
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task OpenAsync_FreshStore_CreatesCostLogTables()
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
        var tables = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        Assert.Subset(tables.ToHashSet(), new HashSet<string> { "ai_performance_logs", "org_ai_settings", "model_prices", "ai_cost_daily", "api_keys" });
    }

    [Fact]
    public async Task WriteAsync_Batch_StoresEveryColumnExactly()
    {
        var batch = PerfLogRows.Batch(40, Day);
        batch[1].CostUsd = 1234567890.0123456789m;
        batch[2].SavedUsd = 0.0000000001m;
        batch[3].Route = null;
        batch[3].ModelUsed = null;
        batch[3].Error = new string('x', 5000);
        batch[4].OrgId = "";
        batch[4].Route = "";
        batch[5].ModelRequested = "modèle-ü-€-😀";

        await _store.WriteAsync(batch, CancellationToken.None);

        var stored = await ReadAllAsync();
        Assert.Equal(batch.Count, stored.Count);
        batch[3].Error = batch[3].Error![..PostgresPerfLogStore.MaxErrorLength];
        foreach (var (expected, actual) in batch.OrderBy(r => r.Id.ToString()).Zip(stored))
        {
            PerfLogRows.AssertSame(expected, actual);
        }

        Assert.Equal("1234567890.0123456789", await ScalarAsync($"SELECT cost_usd FROM ai_performance_logs WHERE id = '{batch[1].Id}'"));
    }

    [Fact]
    public async Task WriteAsync_SeveralBatchesAndARepeat_RollupEqualsSumOfLog()
    {
        await _store.WriteAsync(PerfLogRows.Batch(50, Day), CancellationToken.None);
        await _store.WriteAsync(PerfLogRows.Batch(30, Day.AddHours(3), first: 50), CancellationToken.None);
        var other = PerfLogRows.Batch(20, Day.AddDays(-1), first: 80, org: "org-b", route: null, model: "gpt-4.1");
        await _store.WriteAsync(other, CancellationToken.None);
        await _store.WriteAsync(other, CancellationToken.None);

        var log = await ReadAllAsync();
        var expected = log
            .GroupBy(r => (Day: r.Ts.UtcDateTime.ToString("yyyy-MM-dd"), r.OrgId, Route: r.Route ?? "", Model: r.ModelUsed ?? r.ModelRequested ?? ""))
            .OrderBy(g => g.Key)
            .Select(g => $"{g.Key.Day}|{g.Key.OrgId}|{g.Key.Route}|{g.Key.Model}|{g.Count()}|{g.Count(r => r.CacheStatus == "hit")}|" +
                $"{g.Sum(r => r.PromptTokens)}|{g.Sum(r => r.CompletionTokens)}|{SqliteValues.Money(g.Sum(r => r.CostUsd ?? 0m))}|{SqliteValues.Money(g.Sum(r => r.SavedUsd ?? 0m))}")
            .ToList();

        Assert.Equal(100, log.Count);
        Assert.Equal(expected, await RollupAsync());
    }

    [Fact]
    public async Task WriteAsync_BatchFailsAfterSomeRows_NoneOfItStoredAndTheNextBatchIs()
    {
        var before = PerfLogRows.Batch(5, Day);
        var after = PerfLogRows.Batch(4, Day, first: 8);
        await _store.WriteAsync(before, CancellationToken.None);
        // The second row's cost overflows the roll-up's sum after both rows were inserted in the batch's transaction.
        var failing = PerfLogRows.Batch(3, Day, first: 5);
        failing[0].CostUsd = decimal.MaxValue;
        failing[1].CostUsd = decimal.MaxValue;

        var thrown = await Assert.ThrowsAsync<OverflowException>(() => _store.WriteAsync(failing, CancellationToken.None));
        await _store.WriteAsync(after, CancellationToken.None);

        Assert.True(_store.IsRejection(thrown));
        Assert.Equal(before.Concat(after).Select(r => r.Id).Order(), (await ReadAllAsync()).Select(r => r.Id).Order());
        Assert.Equal("9", await ScalarAsync("SELECT sum(requests) FROM ai_cost_daily"));
    }

    [Fact]
    public async Task MaintainAsync_RowsPastRetention_Deleted()
    {
        await _store.WriteAsync(PerfLogRows.Batch(1, new DateTimeOffset(2025, 3, 31, 23, 59, 59, TimeSpan.Zero)), CancellationToken.None);
        await _store.WriteAsync(PerfLogRows.Batch(1, new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero), first: 1), CancellationToken.None);

        var removed = await _store.MaintainAsync(new DateTimeOffset(2026, 5, 20, 0, 0, 0, TimeSpan.Zero), retentionMonths: 13, CancellationToken.None);

        Assert.Equal(1, removed);
        Assert.Equal(new DateTimeOffset(2025, 4, 1, 0, 0, 0, 1, TimeSpan.Zero), Assert.Single(await ReadAllAsync()).Ts);
        Assert.Equal("2", await ScalarAsync("SELECT sum(requests) FROM ai_cost_daily"));
    }

    [Fact]
    public async Task PerfLogWriter_EmbeddedStore_WritesRowsAndRollup()
    {
        using var spill = new PerfLogSpill(Path.Combine(_dataDir, "spill"));
        var options = new GatewayOptions { Log = { FlushIntervalMs = 50 } };
        var writer = new PerfLogWriter(_store, spill, new FixedOptionsMonitor<GatewayOptions>(options), TimeProvider.System, NullLogger<PerfLogWriter>.Instance);
        await writer.StartAsync(CancellationToken.None);

        var rows = PerfLogRows.Batch(300, Day);
        Assert.All(rows, row => Assert.True(writer.TryWrite(row)));
        await Eventually.UntilAsync(async () => (await ReadAllAsync()).Count == 300, "300 rows stored");
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal("300", await ScalarAsync("SELECT sum(requests) FROM ai_cost_daily"));
        Assert.Equal(SqliteValues.Money(rows.Sum(r => r.CostUsd ?? 0m)), await ScalarAsync("SELECT cost_usd FROM ai_cost_daily"));
    }

    private async Task<List<PerfLogRecord>> ReadAllAsync()
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {PerfLogRows.Columns} FROM ai_performance_logs ORDER BY id";
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
                Stream = reader.GetInt64(8) == 1,
                StatusCode = reader.GetInt32(9),
                CacheStatus = reader.GetString(10),
                DedupeRole = reader.IsDBNull(11) ? null : reader.GetString(11),
                Attempts = reader.GetInt32(12),
                PromptTokens = reader.GetInt64(13),
                CachedTokens = reader.GetInt64(14),
                CompletionTokens = reader.GetInt64(15),
                UsageEstimated = reader.GetInt64(16) == 1,
                CostUsd = reader.IsDBNull(17) ? null : SqliteValues.ParseMoney(reader.GetString(17)),
                SavedUsd = reader.IsDBNull(18) ? null : SqliteValues.ParseMoney(reader.GetString(18)),
                DurationMs = reader.GetInt32(19),
                TtftMs = reader.IsDBNull(20) ? null : reader.GetInt32(20),
                UpstreamMs = reader.IsDBNull(21) ? null : reader.GetInt32(21),
                RequestHash = reader.GetString(22),
                Error = reader.IsDBNull(23) ? null : reader.GetString(23),
                ClientAttempt = reader.IsDBNull(24) ? null : reader.GetInt32(24),
                ClientFallback = reader.GetInt64(25) == 1,
                UsageUnreported = reader.GetInt64(26) == 1,
            });
        }

        return rows;
    }

    private async Task<List<string>> RollupAsync()
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT day || '|' || org_id || '|' || route || '|' || model || '|' || requests || '|' || cache_hits || '|' ||
                   prompt_tokens || '|' || completion_tokens || '|' || cost_usd || '|' || saved_usd
            FROM ai_cost_daily ORDER BY day, org_id, route, model
            """;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return lines;
    }

    private async Task<string?> ScalarAsync(string sql)
    {
        await using var connection = await _database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
