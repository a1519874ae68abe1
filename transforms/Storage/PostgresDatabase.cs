using DbUp;
using DbUp.Engine;
using Npgsql;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// The production store: one <see cref="NpgsqlDataSource"/>, migrated at start-up by DbUp under an advisory lock
/// so that instances starting together apply each script once.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // Any constant shared by all instances; "aigw" in ASCII.
    private const long MigrationLockId = 0x61696777;

    /// <summary>Wraps the connection string; nothing is opened until <see cref="MigrateAsync"/>.</summary>
    public PostgresDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    /// <summary>The connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The shared pool.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Applies this build's migrations; refuses a database that has scripts this build does not know (a retired script,
    /// which an earlier build applied and a later one replaced, is known).
    /// </summary>
    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        var scripts = MigrationScripts.Load(typeof(PostgresDatabase).Assembly, "Postgres");
        await using var lockConnection = await DataSource.OpenConnectionAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockId})", lockConnection))
        {
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            var upgrader = DeployChanges.To.PostgresqlDatabase(ConnectionString)
                .WithScripts(scripts.Select(s => new SqlScript(s.Name, s.Sql)))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", "schema_versions")
                .LogToNowhere()
                .Build();

            var unknown = upgrader.GetExecutedScripts().Except(scripts.Select(s => s.Name)).Except(RetiredMigrations.Postgres.Keys).ToList();
            if (unknown.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The Postgres schema has migrations this gateway does not know: {string.Join(", ", unknown)}. " +
                    "It was migrated by a newer gateway; upgrade this one or point it at another database.");
            }

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockId})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}
