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
        Assert.Equal(
            ["0001_api_keys.sql", "0002_cost_log.sql", "0003_org_ai_settings.sql", "0004_cost_daily_finance_index.sql",
             "0004_cost_daily_hot_updates.sql", "0005_cost_monthly.sql", "0006_drop_daily_finance_index.sql"],
            await ListAsync("SELECT scriptname FROM schema_versions ORDER BY schemaversionsid"));
        Assert.Equal(["fillfactor=50"], await ListAsync("SELECT unnest(reloptions) FROM pg_class WHERE relname = 'ai_cost_daily'"));
        Assert.NotEmpty(await ListAsync("SELECT tablename FROM pg_tables WHERE tablename = 'ai_cost_monthly'"));
    }

    [Fact]
    public async Task MigrateAsync_JournalNamesAScriptNoBuildKnows_RefusedNamingIt()
    {
        await using (var database = new PostgresDatabase(_db.ConnectionString))
        {
            await database.MigrateAsync();
        }

        await ExecuteAsync("INSERT INTO schema_versions (scriptname, applied) VALUES ('0099_from_the_future.sql', now())");
        await using var again = new PostgresDatabase(_db.ConnectionString);

        var refusal = await Assert.ThrowsAnyAsync<InvalidOperationException>(() => again.MigrateAsync());

        Assert.Contains("0099_from_the_future.sql", refusal.Message);
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
}
