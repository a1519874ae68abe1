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

    /// <summary>The three masters of the test Redis Cluster (a StackExchange.Redis configuration); the test fails with instructions when it is not set.</summary>
    public static string RedisCluster => Environment.GetEnvironmentVariable("AIGW_TEST_REDIS_CLUSTER")
        ?? throw new InvalidOperationException("AIGW_TEST_REDIS_CLUSTER is not set: run the tests through .ci/run, or eval \"$(ops/services.sh start)\" first.");

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
            // FORCE ends sessions a test left open; it is refused (42501) while an autovacuum worker, which is not ours,
            // is in the database — then a plain DROP, which stops autovacuum itself, after our sessions have gone.
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    var force = attempt % 2 == 0 ? " WITH (FORCE)" : "";
                    await using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {Name}{force}", connection);
                    await drop.ExecuteNonQueryAsync();
                    return;
                }
                catch (Npgsql.PostgresException ex) when (attempt < 40 && ex.SqlState is "42501" or "55006")
                {
                    await Task.Delay(100);
                }
            }
        }
    }
}
