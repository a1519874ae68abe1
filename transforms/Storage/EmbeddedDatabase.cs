using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Storage;

/// <summary>
/// The embedded store: one SQLite file under <c>Gateway:DataDir</c>, used when no Postgres connection string is given.
/// Migrations are the embedded <c>Migrations/Sqlite/*.sql</c> scripts, tracked by SQLite's <c>user_version</c>.
/// </summary>
public sealed class EmbeddedDatabase
{
    private readonly string _connectionString;
    private readonly Lazy<Task> _migrated;

    /// <summary>Opens (creating if needed) the store in <paramref name="dataDir"/>.</summary>
    public EmbeddedDatabase(string dataDir)
    {
        Directory.CreateDirectory(dataDir);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDir, "aigateway.db"));
        _connectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _migrated = new Lazy<Task>(MigrateAsync);
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

    private async Task MigrateAsync()
    {
        var scripts = MigrationScripts.Load(typeof(EmbeddedDatabase).Assembly, "Sqlite");
        await using var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync();
        // WAL lets the CLI verbs read and write while a gateway runs on the same file.
        await connection.ExecuteAsync("PRAGMA journal_mode=WAL;");
        await using var transaction = connection.BeginTransaction(deferred: false);
        var version = await connection.ExecuteScalarAsync<long>("PRAGMA user_version;", transaction: transaction);
        if (version > scripts.Count)
        {
            throw new InvalidOperationException(
                $"The embedded store {Path} has schema version {version}, newer than this gateway knows ({scripts.Count}). Upgrade the gateway or use another Gateway:DataDir.");
        }

        for (var i = (int)version; i < scripts.Count; i++)
        {
            await connection.ExecuteAsync(scripts[i].Sql, transaction: transaction);
        }

        await connection.ExecuteAsync($"PRAGMA user_version = {scripts.Count};", transaction: transaction);
        await transaction.CommitAsync();
    }
}
