using Dapper;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// The embedded store: one SQLite file under <c>Gateway:DataDir</c>, used when no Postgres connection string is given.
/// Migrations are the embedded <c>Migrations/Sqlite/*.sql</c> scripts, tracked by SQLite's <c>user_version</c>; once
/// migrated, the store is compared with what they define.
/// </summary>
public sealed class EmbeddedDatabase
{
    private const string Store = "The embedded store";
    private readonly string _connectionString;
    private readonly Lazy<Task> _migrated;

    /// <summary>Opens (creating if needed) the store in <paramref name="dataDir"/>.</summary>
    public EmbeddedDatabase(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, "aigateway.db"));
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _migrated = new Lazy<Task>(MigrateOnceAsync);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    /// <summary>An open connection to a migrated store.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        await _migrated.Value;
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    /// <summary>Migrates the store (once per instance) and checks it; throws <see cref="SchemaMismatchException"/> naming every difference.</summary>
    public Task MigrateAsync() => _migrated.Value;

    /// <summary>
    /// The same check without changing anything (<c>validate --database</c>): the store is compared with the scripts its
    /// <c>user_version</c> counts; the others are reported as pending. A store not created yet has every script pending.
    /// </summary>
    public async Task<SchemaReport> CheckSchemaAsync(CancellationToken cancellationToken = default)
    {
        var scripts = MigrationScripts.Load(typeof(EmbeddedDatabase).Assembly, "Sqlite");
        if (!File.Exists(Path))
        {
            return new SchemaReport(scripts.Select(s => s.Name).ToList(), []);
        }

        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        var version = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;");
        if (version > scripts.Count)
        {
            return new SchemaReport([], [Newer(version, scripts.Count)]);
        }

        var differences = await SqliteSchemaCheck.DifferencesAsync(connection, scripts.Take((int)version), cancellationToken);
        return new SchemaReport(scripts.Skip((int)version).Select(s => s.Name).ToList(), differences);
    }

    private async Task MigrateOnceAsync()
    {
        var scripts = MigrationScripts.Load(typeof(EmbeddedDatabase).Assembly, "Sqlite");
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        // WAL lets the CLI verbs read and write while a gateway runs on the same file.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        await using (var transaction = connection.BeginTransaction(deferred: false))
        {
            var version = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;", transaction: transaction);
            if (version > scripts.Count)
            {
                throw new SchemaMismatchException(Store, [Newer(version, scripts.Count)]);
            }

            for (var i = (int)version; i < scripts.Count; i++)
            {
                await connection.ExecuteAsync(scripts[i].Sql, transaction: transaction);
            }

            await connection.ExecuteAsync($"PRAGMA user_version = {scripts.Count};", transaction: transaction);
            await transaction.CommitAsync();
        }

        var differences = await SqliteSchemaCheck.DifferencesAsync(connection, scripts, CancellationToken.None);
        if (differences.Count > 0)
        {
            throw new SchemaMismatchException($"{Store} {Path}", differences);
        }
    }

    private string Newer(long version, int known) =>
        $"{Path} has schema version {version}, newer than this gateway knows ({known}): upgrade the gateway or use another Gateway:DataDir.";
}
