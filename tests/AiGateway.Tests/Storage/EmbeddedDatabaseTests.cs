using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;
using Xunit;

namespace AiGateway.Tests.Storage;

/// <summary>The embedded store's migration and its check against the schema the migrations define.</summary>
public sealed class EmbeddedDatabaseTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-embedded-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task StartUp_HandAlteredStore_RefusedNamingEachDifference()
    {
        await new EmbeddedDatabase(_dataDir).MigrateAsync();
        await ExecuteAsync("""
            ALTER TABLE ai_cost_daily DROP COLUMN saved_usd;
            DROP INDEX api_keys_org_id;
            ALTER TABLE model_prices RENAME TO model_prices_old;
            CREATE TABLE model_prices (model TEXT NOT NULL, input_per_1m REAL NOT NULL, cached_input_per_1m TEXT NOT NULL, output_per_1m TEXT NOT NULL, effective_from TEXT NOT NULL, PRIMARY KEY (model, effective_from));
            """);

        var refusal = await Assert.ThrowsAsync<SchemaMismatchException>(() => TestGateway.StartAsync(new Uri("http://127.0.0.1:9"),
            new Dictionary<string, string> { ["Gateway:DataDir"] = _dataDir }));

        Assert.Contains("column ai_cost_daily.saved_usd is missing.", refusal.Message);
        Assert.Contains("index api_keys_org_id on api_keys is missing.", refusal.Message);
        Assert.Contains("column model_prices.input_per_1m is REAL here; the migrations define TEXT.", refusal.Message);
        Assert.Equal(3, refusal.Differences.Count);
    }

    [Fact]
    public async Task StartUp_UntouchedStore_Starts()
    {
        await new EmbeddedDatabase(_dataDir).MigrateAsync();
        SqliteConnection.ClearAllPools();

        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), new Dictionary<string, string> { ["Gateway:DataDir"] = _dataDir });

        using var health = await gateway.Client.GetAsync("/healthz");
        Assert.True(health.IsSuccessStatusCode);
    }

    [Fact]
    public async Task CheckSchemaAsync_NoStoreYet_EveryScriptPendingNothingCreated()
    {
        var report = await new EmbeddedDatabase(_dataDir).CheckSchemaAsync();

        Assert.Empty(report.Differences);
        Assert.Equal(MigrationScripts.Load(typeof(EmbeddedDatabase).Assembly, "Sqlite").Select(s => s.Name), report.Pending);
        Assert.Empty(Directory.GetFiles(_dataDir));
    }

    [Fact]
    public async Task CheckSchemaAsync_DroppedColumn_Named()
    {
        await new EmbeddedDatabase(_dataDir).MigrateAsync();
        await ExecuteAsync("ALTER TABLE org_ai_settings DROP COLUMN hard_budget;");

        var report = await new EmbeddedDatabase(_dataDir).CheckSchemaAsync();

        Assert.Equal(["column org_ai_settings.hard_budget is missing."], report.Differences);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_dataDir, "aigateway.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
