using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.CostLog;

public sealed class PostgresPerfLogStoreTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Day = new(2025, 3, 14, 9, 30, 0, TimeSpan.Zero);
    private TestServices.TempDatabase _db = null!;
    private PostgresDatabase _database = null!;
    private PostgresPerfLogStore _store = null!;

    public async Task InitializeAsync()
    {
        _db = await TestServices.CreateDatabaseAsync();
        _database = new PostgresDatabase(_db.ConnectionString);
        await _database.MigrateAsync();
        _store = new PostgresPerfLogStore(_database);
    }

    public async Task DisposeAsync()
    {
        await _database.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task MigrateAsync_FreshDatabase_CreatesCostLogSchema()
    {
        var tables = await ListAsync("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
        var partitioned = await ListAsync("SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid");
        var money = await ListAsync("""
            SELECT table_name || '.' || column_name || ':' || data_type || '(' || numeric_precision || ',' || numeric_scale || ')'
            FROM information_schema.columns WHERE table_schema = 'public' AND (column_name LIKE '%usd%' OR column_name LIKE '%per_1m') ORDER BY 1
            """);

        Assert.Subset(tables.ToHashSet(), new HashSet<string> { "ai_performance_logs", "org_ai_settings", "model_prices", "ai_cost_daily", "ai_cost_monthly", "api_keys" });
        Assert.Equal(["ai_payloads", "ai_performance_logs"], partitioned.Order(StringComparer.Ordinal));
        Assert.All(money, column => Assert.EndsWith(":numeric(20,10)", column));
        // cost_usd, saved_usd three times (log, daily and monthly rollups), three prices, monthly_usd_budget of orgs, customers and keys.
        Assert.Equal(12, money.Count);
    }

    [Fact]
    public async Task MigrateAsync_OrgSettingsRow_GetsContractDefaults()
    {
        await ExecuteAsync("INSERT INTO org_ai_settings (org_id) VALUES ('acme')");

        var row = await ListAsync("""
            SELECT concat_ws('|', coalesce(mode_default, 'null'), client_mode_override, cache_enabled, coalesce(cache_ttl_seconds::text, 'null'),
                dedupe_enabled, coalesce(monthly_token_budget::text, 'null'), coalesce(monthly_usd_budget::text, 'null'), hard_budget, updated_at IS NOT NULL)
            FROM org_ai_settings
            """);

        Assert.Equal(["null|t|t|null|t|null|null|f|t"], row);
    }

    [Fact]
    public async Task MaintainAsync_Now_CreatesCurrentAndNextMonthPartitions()
    {
        var now = DateTimeOffset.UtcNow;

        await _store.MaintainAsync(now, retentionMonths: 13, CancellationToken.None);

        var partitions = await PartitionsAsync();
        Assert.Contains($"ai_performance_logs_p{now:yyyyMM}", partitions);
        Assert.Contains($"ai_performance_logs_p{now.AddMonths(1):yyyyMM}", partitions);
    }

    [Fact]
    public async Task MaintainAsync_PartitionsPastRetention_Dropped()
    {
        var now = new DateTimeOffset(2026, 5, 20, 0, 0, 0, TimeSpan.Zero);
        await _store.WriteAsync(PerfLogRows.Batch(1, new DateTimeOffset(2025, 3, 31, 23, 59, 0, TimeSpan.Zero)), CancellationToken.None);
        await _store.WriteAsync(PerfLogRows.Batch(1, new DateTimeOffset(2025, 4, 1, 0, 0, 0, TimeSpan.Zero), first: 1), CancellationToken.None);

        var dropped = await _store.MaintainAsync(now, retentionMonths: 13, CancellationToken.None);

        // May 2026 minus 13 full months: April 2025 is the oldest month kept.
        var partitions = await PartitionsAsync();
        Assert.Equal(1, dropped);
        Assert.DoesNotContain("ai_performance_logs_p202503", partitions);
        Assert.Contains("ai_performance_logs_p202504", partitions);
        Assert.Contains("ai_performance_logs_p202605", partitions);
        Assert.Contains("ai_performance_logs_p202606", partitions);
        Assert.Equal(1, await PerfLogRows.CountAsync(_db.ConnectionString));
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

        await _store.WriteAsync(batch, CancellationToken.None);

        var stored = await PerfLogRows.ReadAllAsync(_db.ConnectionString);
        Assert.Equal(batch.Count, stored.Count);
        batch[3].Error = batch[3].Error![..PostgresPerfLogStore.MaxErrorLength];
        foreach (var (expected, actual) in batch.OrderBy(r => r.Id).Zip(stored))
        {
            PerfLogRows.AssertSame(expected, actual);
        }

        Assert.Equal(["1234567890.0123456789"], await ListAsync($"SELECT cost_usd::text FROM ai_performance_logs WHERE id = '{batch[1].Id}'"));
    }

    [Fact]
    public async Task WriteAsync_SeveralBatches_RollupEqualsGroupByOverLog()
    {
        await _store.WriteAsync(PerfLogRows.Batch(50, Day), CancellationToken.None);
        // The same day, org, route and model again: the rollup row is added to, not replaced.
        await _store.WriteAsync(PerfLogRows.Batch(30, Day.AddHours(3), first: 50), CancellationToken.None);
        await _store.WriteAsync(PerfLogRows.Batch(20, Day.AddDays(1), first: 80, org: "org-b", route: null, model: "gpt-4.1"), CancellationToken.None);
        var mixed = PerfLogRows.Batch(10, Day, first: 100, org: "org-b");
        // Without model_used the rollup takes the requested model.
        mixed[0].ModelUsed = null;
        mixed[0].ModelRequested = "gpt-4o";
        mixed[1].CostUsd = null;
        await _store.WriteAsync(mixed, CancellationToken.None);

        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(_db.ConnectionString);

        Assert.Equal(fromLog, rollup);
        Assert.Equal(4, rollup.Count(line => !line.StartsWith("month:", StringComparison.Ordinal)));
        Assert.StartsWith("2025-03-14|org-a|dominus.analyze|gpt-4o-mini|80|20|", rollup[0]);
        Assert.Contains(rollup, line => line.StartsWith("month:2025-03-01|org-a|dominus.analyze|gpt-4o-mini|80|20|", StringComparison.Ordinal));
        Assert.Equal(["110"], await ListAsync("SELECT sum(requests)::text FROM ai_cost_daily"));
    }

    [Fact]
    public async Task WriteAsync_MoneyFinerThanTheColumn_RollupEqualsSumOfStoredValues()
    {
        // numeric(20,10) rounds these on insert (half away from zero); the rollup must add the stored values, not these.
        var batch = PerfLogRows.Batch(4, Day);
        batch[0].CostUsd = 0.00000000005m;
        batch[1].CostUsd = 0.00000000015m;
        batch[2].CostUsd = 0.000000000149m;
        batch[3].CostUsd = null;
        batch[3].SavedUsd = 0.00000000025m;

        await _store.WriteAsync(batch, CancellationToken.None);

        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(_db.ConnectionString);
        Assert.Equal(fromLog, rollup);
        // 0.0000000001 + 0.0000000002 + 0.0000000001 as stored; the unrounded inputs would add up to 0.0000000003.
        Assert.Equal(["0.0000000004"], await ListAsync("SELECT sum(cost_usd)::text FROM ai_cost_daily"));
    }

    [Fact]
    public async Task WriteAsync_SameBatchTwice_CountedOnce()
    {
        var batch = PerfLogRows.Batch(25, Day);
        await _store.WriteAsync(batch, CancellationToken.None);
        var before = await PerfLogRows.RollupAndLogAsync(_db.ConnectionString);

        await _store.WriteAsync(batch, CancellationToken.None);
        await _store.WriteAsync(batch.Concat(PerfLogRows.Batch(5, Day, first: 25)).ToList(), CancellationToken.None);

        var after = await PerfLogRows.RollupAndLogAsync(_db.ConnectionString);
        Assert.Equal(30, await PerfLogRows.CountAsync(_db.ConnectionString));
        Assert.Equal(after.FromLog, after.Rollup);
        Assert.NotEqual(before.Rollup, after.Rollup);
        Assert.Equal(["30"], await ListAsync("SELECT sum(requests)::text FROM ai_cost_daily"));
    }

    [Fact]
    public async Task WriteAsync_RowInMonthWithoutPartition_CreatesIt()
    {
        var old = new DateTimeOffset(2021, 7, 4, 12, 0, 0, TimeSpan.Zero);

        await _store.WriteAsync(PerfLogRows.Batch(3, old), CancellationToken.None);

        Assert.Contains("ai_performance_logs_p202107", await PartitionsAsync());
        Assert.Equal(3, await PerfLogRows.CountAsync(_db.ConnectionString));
    }

    [Fact]
    public async Task WriteAsync_PartitionDroppedBehindItsBack_RecreatesIt()
    {
        await _store.WriteAsync(PerfLogRows.Batch(1, Day), CancellationToken.None);
        await ExecuteAsync("DROP TABLE ai_performance_logs_p202503");

        await _store.WriteAsync(PerfLogRows.Batch(2, Day, first: 1), CancellationToken.None);

        Assert.Equal(2, await PerfLogRows.CountAsync(_db.ConnectionString));
    }

    [Fact]
    public async Task WriteAsync_TextWithNulCharacter_IsRejection()
    {
        var batch = PerfLogRows.Batch(1, Day);
        batch[0].Error = "bad\0byte";

        var error = await Assert.ThrowsAnyAsync<Exception>(() => _store.WriteAsync(batch, CancellationToken.None));

        Assert.True(_store.IsRejection(error), error.ToString());
    }

    private async Task<List<string>> PartitionsAsync()
        => await ListAsync("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'ai_performance_logs'::regclass AND c.relkind = 'r'");

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(Convert.ToString(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)!);
        }

        return values;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
