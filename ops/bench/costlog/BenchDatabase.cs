using Npgsql;

namespace CostLogBench;

/// <summary>A database created for the run on the given Postgres and dropped at the end.</summary>
internal sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _admin;

    private BenchDatabase(string admin, string name)
    {
        _admin = admin;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name, CommandTimeout = 600, MaxPoolSize = 20 }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<BenchDatabase> CreateAsync(string admin, string name)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await create.ExecuteNonQueryAsync();
        return new BenchDatabase(admin, name);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await DropAsync(_admin, Name);
    }

    /// <summary>
    /// Drops the database. A plain DROP first: Postgres itself stops an autovacuum worker busy on the fresh tables, which
    /// WITH (FORCE) may not do for a non-superuser (42501); FORCE only if a session of ours is still connected.
    /// </summary>
    public static async Task DropAsync(string admin, string name)
    {
        await using var connection = new NpgsqlConnection(admin);
        await connection.OpenAsync();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var force = attempt % 2 == 1 ? " WITH (FORCE)" : "";
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name}{force}", connection);
                await drop.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException ex) when (attempt < 9 && ex.SqlState is "55006" or "42501")
            {
                await Task.Delay(1000);
            }
        }
    }
}
