namespace AiGateway.Tests.Infrastructure;

/// <summary>The real Redis and Postgres that <c>ops/services.sh start</c> runs for the tests.</summary>
public static class TestServices
{
    /// <summary>The Postgres connection string; the test fails with instructions when it is not set.</summary>
    public static string Postgres => Environment.GetEnvironmentVariable("AIGW_TEST_POSTGRES")
        ?? throw new InvalidOperationException("AIGW_TEST_POSTGRES is not set: run the tests through .ci/run, or eval \"$(ops/services.sh start)\" first.");

    /// <summary>The Redis connection string; the test fails with instructions when it is not set.</summary>
    public static string Redis => Environment.GetEnvironmentVariable("AIGW_TEST_REDIS")
        ?? throw new InvalidOperationException("AIGW_TEST_REDIS is not set: run the tests through .ci/run, or eval \"$(ops/services.sh start)\" first.");

    /// <summary>A fresh, empty Postgres database for one test, dropped by the caller's dispose.</summary>
    public static async Task<TempDatabase> CreateDatabaseAsync()
    {
        var name = "aigw_test_" + Guid.NewGuid().ToString("N")[..12];
        var admin = new Npgsql.NpgsqlConnectionStringBuilder(Postgres);
        await using (var connection = new Npgsql.NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new Npgsql.NpgsqlConnectionStringBuilder(Postgres) { Database = name };
        return new TempDatabase(builder.ConnectionString, name);
    }

    /// <summary>A database created for one test.</summary>
    public sealed record TempDatabase(string ConnectionString, string Name) : IAsyncDisposable
    {
        /// <inheritdoc/>
        public async ValueTask DisposeAsync()
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            await using var connection = new Npgsql.NpgsqlConnection(Postgres);
            await connection.OpenAsync();
            // A plain DROP lets Postgres stop its own autovacuum workers; FORCE (which a non-superuser cannot use on
            // them) is only the fallback for connections a test left open.
            try
            {
                await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {Name}", connection);
                await drop.ExecuteNonQueryAsync();
            }
            catch (Npgsql.PostgresException)
            {
                await using var force = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
                await force.ExecuteNonQueryAsync();
            }
        }
    }
}
