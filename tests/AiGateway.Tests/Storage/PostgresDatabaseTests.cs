using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Storage;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Storage;

/// <summary>Migrating Postgres databases that earlier builds of the gateway made.</summary>
public sealed class PostgresDatabaseTests : IAsyncLifetime
{
    private TestServices.TempDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestServices.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task MigrateAsync_DatabaseBuiltAtDfff36a_AppliesTheRestAndDropsTheReplacedFinanceIndex()
    {
        // A real database of the build that shipped 0004_cost_daily_finance_index, later replaced under the same number.
        OldGatewayDatabase.Migrate(_db.ConnectionString, "dfff36a");
        Assert.NotEmpty(await ListAsync("SELECT indexname FROM pg_indexes WHERE indexname = 'ai_cost_daily_day_finance'"));

        await using var database = new PostgresDatabase(_db.ConnectionString);
        await database.MigrateAsync();

        Assert.Empty(await ListAsync("SELECT indexname FROM pg_indexes WHERE indexname = 'ai_cost_daily_day_finance'"));
        // dfff36a's journal, then every later script of this build.
        Assert.Equal(
            ["0001_api_keys.sql", "0002_cost_log.sql", "0003_org_ai_settings.sql", "0004_cost_daily_finance_index.sql", .. ScriptsAfterDfff36a()],
            await ListAsync("SELECT scriptname FROM schema_versions ORDER BY schemaversionsid"));
        Assert.Equal(["fillfactor=50"], await ListAsync("SELECT unnest(reloptions) FROM pg_class WHERE relname = 'ai_cost_daily'"));
        Assert.NotEmpty(await ListAsync("SELECT tablename FROM pg_tables WHERE tablename = 'ai_cost_monthly'"));
    }

    [Theory]
    [InlineData("", "1234ms")]
    [InlineData(";No Reset On Close=false", "0")]
    public async Task DataSource_ConnectionBackFromThePool_SentNoDiscardUnlessTheConnectionStringAsks(string setting, string expected)
    {
        // Issue 21: the pool's DISCARD ALL was a statement of its own per log batch. Session state left on a connection
        // (which the gateway never leaves) shows whether it was discarded: the pool hands the same connection back.
        await using var database = new PostgresDatabase(_db.ConnectionString + setting);
        await using (var first = await database.DataSource.OpenConnectionAsync())
        {
            await using var set = new NpgsqlCommand("SET statement_timeout = 1234", first);
            await set.ExecuteNonQueryAsync();
        }

        await using var second = await database.DataSource.OpenConnectionAsync();
        await using var show = new NpgsqlCommand("SHOW statement_timeout", second);

        Assert.Equal(expected, (string?)await show.ExecuteScalarAsync());
    }

    [Fact]
    public async Task MigrateAsync_JournalNamesAScriptNoBuildKnows_RefusedNamingIt()
    {
        await MigrateAsync();

        await ExecuteAsync("INSERT INTO schema_versions (scriptname, applied) VALUES ('0099_from_the_future.sql', now())");
        await using var again = new PostgresDatabase(_db.ConnectionString);

        var refusal = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => again.MigrateAsync());

        Assert.Contains("0099_from_the_future.sql", refusal.Message);
    }

    [Fact]
    public async Task StartUp_HandAlteredTables_RefusedNamingEachDifference()
    {
        await MigrateAsync();
        await ExecuteAsync("""
            ALTER TABLE ai_cost_daily DROP COLUMN saved_usd;
            ALTER TABLE api_keys ALTER COLUMN name TYPE varchar(40);
            ALTER TABLE ai_performance_logs ALTER COLUMN cost_usd TYPE double precision;
            DROP INDEX api_keys_org_id;
            ALTER TABLE org_ai_settings ALTER COLUMN hard_budget DROP DEFAULT;
            """);

        var refusal = await Assert.ThrowsAsync<SchemaMismatchException>(() => TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = _db.ConnectionString }));

        // Six: the type change of cost_usd also changes the partial index over it (0011's top_cost), which is named too.
        Assert.Equal(6, refusal.Differences.Count);
        Assert.Contains("column ai_cost_daily.saved_usd is missing.", refusal.Message);
        Assert.Contains("column api_keys.name is character varying(40) here; the migrations define text.", refusal.Message);
        Assert.Contains("column ai_performance_logs.cost_usd is double precision here; the migrations define numeric(20,10).", refusal.Message);
        Assert.Contains("index ai_performance_logs_top_cost on ai_performance_logs is btree (cost_usd DESC, ts DESC, id) WHERE (cost_usd > ((0)::numeric)::double precision) here", refusal.Message);
        Assert.Contains("index api_keys_org_id on api_keys is missing.", refusal.Message);
        Assert.Contains("column org_ai_settings.hard_budget has no default here; the migrations define the default false.", refusal.Message);
    }

    [Fact]
    public async Task StartUp_UntouchedDatabaseWithLogPartitionsAndAnOperatorsIndex_Starts()
    {
        await MigrateAsync();
        await ExecuteAsync("""
            SELECT aigw_ensure_log_partitions(now(), 3);
            CREATE INDEX finance_by_model ON ai_cost_daily (model, day);
            ALTER TABLE api_keys ADD COLUMN owner_note text;
            """);

        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = _db.ConnectionString });

        using var ready = await gateway.Client.GetAsync("/healthz");
        Assert.True(ready.IsSuccessStatusCode);
    }

    [Fact]
    public async Task CheckSchemaAsync_DatabaseBuiltAtDfff36a_LaterScriptsPendingNoDifference()
    {
        OldGatewayDatabase.Migrate(_db.ConnectionString, "dfff36a");
        await using var database = new PostgresDatabase(_db.ConnectionString);

        var report = await database.CheckSchemaAsync();

        Assert.Empty(report.Differences);
        Assert.Equal(ScriptsAfterDfff36a(), report.Pending);
    }

    [Fact]
    public async Task CheckSchemaAsync_ChangesNothing()
    {
        await MigrateAsync();
        var schemasBefore = await ListAsync("SELECT nspname FROM pg_namespace ORDER BY 1");
        await ExecuteAsync("ALTER TABLE model_prices DROP COLUMN cached_input_per_1m");
        await using var database = new PostgresDatabase(_db.ConnectionString);

        var report = await database.CheckSchemaAsync();

        Assert.Equal(["column model_prices.cached_input_per_1m is missing."], report.Differences);
        Assert.Empty(report.Pending);
        Assert.Equal(schemasBefore, await ListAsync("SELECT nspname FROM pg_namespace ORDER BY 1"));
    }

    [Fact]
    public void MigrationScripts_NameNoSchema()
    {
        // The schema check runs the scripts into a scratch schema through the search path: a script that names public
        // would build (and compare) the real schema instead.
        var scripts = MigrationScripts.Load(typeof(PostgresDatabase).Assembly, "Postgres");

        Assert.All(scripts, script => Assert.DoesNotMatch(@"(?i)\bpublic\s*\.", script.Sql));
    }

    private async Task MigrateAsync()
    {
        await using var database = new PostgresDatabase(_db.ConnectionString);
        await database.MigrateAsync();
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<List<string>> ListAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_db.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    // This build's scripts that dfff36a did not have: 0004_cost_daily_hot_updates.sql and every one after it.
    private static List<string> ScriptsAfterDfff36a() =>
        MigrationScripts.Load(typeof(PostgresDatabase).Assembly, "Postgres").Select(s => s.Name)
            .Where(name => string.CompareOrdinal(name, "0004_cost_daily_hot_updates.sql") >= 0).ToList();
}
