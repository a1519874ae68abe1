using DbUp;
using DbUp.Engine;
using Npgsql;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// The production store: one <see cref="NpgsqlDataSource"/>, migrated at start-up by DbUp under an advisory lock
/// so that instances starting together apply each script once, then checked against what the migrations define.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // Any constant shared by all instances; "aigw" in ASCII.
    private const long MigrationLockId = 0x61696777;
    private const string Store = "The Postgres schema";

    /// <summary>Wraps the connection string; nothing is opened until <see cref="MigrateAsync"/>.</summary>
    public PostgresDatabase(string connectionString)
    {
        ConnectionString = connectionString;
        // A connection back in the pool would otherwise send DISCARD ALL before its next use: a statement of its own
        // for every log batch (issue 21 counted 1.3 per call). The gateway leaves no session state behind (its SET is
        // LOCAL, its temp table dropped on commit, its advisory lock released), so there is nothing to discard. A
        // connection string that names the setting keeps its own.
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (connectionString.IndexOf("reset on close", StringComparison.OrdinalIgnoreCase) < 0)
        {
            builder.NoResetOnClose = true;
        }

        DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The connection string.</summary>
    public string ConnectionString { get; }

    /// <summary>The shared pool.</summary>
    public NpgsqlDataSource DataSource { get; }

    /// <summary>
    /// Applies this build's migrations, then compares the tables, columns, types, indexes and functions with what they
    /// define. Throws <see cref="SchemaMismatchException"/> naming every difference, or a script this build does not know
    /// (a retired script, which an earlier build applied and a later one replaced, is known).
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
            var upgrader = Upgrader(scripts);
            if (Unknown(upgrader, scripts) is { Count: > 0 } unknown)
            {
                throw new SchemaMismatchException(Store, unknown);
            }

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }

            // Under the lock, so that no instance compares while another is half-way through a script.
            var differences = await PostgresSchemaCheck.DifferencesAsync(lockConnection, scripts, cancellationToken);
            if (differences.Count > 0)
            {
                throw new SchemaMismatchException(Store, differences);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockId})", lockConnection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>
    /// The same check without changing anything (<c>validate --database</c>): the schema is compared with the scripts its
    /// journal says were applied; the others are reported as pending, for start-up to apply.
    /// </summary>
    public async Task<SchemaReport> CheckSchemaAsync(CancellationToken cancellationToken = default)
    {
        var scripts = MigrationScripts.Load(typeof(PostgresDatabase).Assembly, "Postgres");
        var upgrader = Upgrader(scripts);
        var executed = upgrader.GetExecutedScripts().ToHashSet(StringComparer.Ordinal);
        var differences = Unknown(upgrader, scripts).ToList();
        await using var connection = await DataSource.OpenConnectionAsync(cancellationToken);
        differences.AddRange(await PostgresSchemaCheck.DifferencesAsync(connection, scripts.Where(s => executed.Contains(s.Name)), cancellationToken));
        return new SchemaReport(scripts.Where(s => !executed.Contains(s.Name)).Select(s => s.Name).ToList(), differences);
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    private UpgradeEngine Upgrader(IReadOnlyList<MigrationScripts.Script> scripts) =>
        DeployChanges.To.PostgresqlDatabase(ConnectionString)
            .WithScripts(scripts.Select(s => new SqlScript(s.Name, s.Sql)))
            .WithTransactionPerScript()
            .JournalToPostgresqlTable("public", "schema_versions")
            .LogToNowhere()
            .Build();

    private static List<string> Unknown(UpgradeEngine upgrader, IReadOnlyList<MigrationScripts.Script> scripts) =>
        upgrader.GetExecutedScripts().Except(scripts.Select(s => s.Name)).Except(RetiredMigrations.Postgres.Keys)
            .Select(name => $"migration {name} was applied by a newer gateway, which this one does not know: upgrade this gateway or point it at another database.")
            .ToList();
}
