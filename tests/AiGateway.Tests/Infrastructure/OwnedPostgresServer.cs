using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using Npgsql;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server that one test owns, stops and starts for fault injection: a fresh cluster (<c>initdb</c>) in a
/// temp folder, on its own loopback port, with one empty database (the shared test Postgres is never touched). Like
/// <c>ops/postgres.sh</c> it runs the server binaries as the <c>postgres</c> OS user (they refuse to run as root), so
/// it needs the PostgreSQL packages that script installs; dispose stops the server and removes the folder.
/// </summary>
public sealed class OwnedPostgresServer : IAsyncDisposable
{
    private const string Database = "aigateway";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly string _bin;
    private readonly string _folder;

    private OwnedPostgresServer(string bin, string folder, int port)
    {
        _bin = bin;
        _folder = folder;
        Port = port;
    }

    /// <summary>The port it listens on, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The Npgsql connection string of its database (superuser <c>postgres</c>, trust on loopback).</summary>
    public string ConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Username = "postgres",
        Database = Database,
        // Fail fast while it is stopped: the writer under test decides when to try again, not the driver.
        Timeout = 5,
    }.ConnectionString;

    private string DataDir => Path.Combine(_folder, "data");

    /// <summary>Creates the cluster on a free port, starts it and creates the database.</summary>
    public static async Task<OwnedPostgresServer> StartAsync()
    {
        var bin = FindBinaries();
        var folder = Directory.CreateTempSubdirectory("aigw-pg-").FullName;
        var server = new OwnedPostgresServer(bin, folder, FreePort.Next());
        try
        {
            await server.InitAsync();
            await server.RestartAsync();
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres" }.ConnectionString);
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {Database}", connection);
            await create.ExecuteNonQueryAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the server (again, after <see cref="StopAsync"/>) on the same port and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", DataDir, "-l", Path.Combine(_folder, "postgres.log"), "-w", "-t", "60", "start");
        var deadline = DateTime.UtcNow + Patience;
        while (!await AcceptsConnectionsAsync())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"The owned Postgres did not accept connections on {Port}; see {_folder}/postgres.log.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Stops the server: <c>fast</c> rolls back open transactions and closes every connection; <c>immediate</c> is a crash.</summary>
    public Task StopAsync(string mode = "fast")
        => RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", DataDir, "-m", mode, "-w", "-t", "60", "stop");

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (File.Exists(Path.Combine(DataDir, "postmaster.pid")))
            {
                await StopAsync("immediate");
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped.
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task InitAsync()
    {
        Directory.CreateDirectory(DataDir);
        // The cluster belongs to the postgres user, and initdb wants its data folder private.
        await RunAsync("chown", "-R", "postgres:", _folder);
        await RunAsync("chmod", "700", DataDir);
        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), "-D", DataDir, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync");
        // Same tuning as ops/postgres.sh: speed over durability, loopback only, no Unix socket.
        await File.AppendAllTextAsync(Path.Combine(DataDir, "postgresql.conf"), string.Create(CultureInfo.InvariantCulture, $"""

            listen_addresses = '127.0.0.1'
            port = {Port}
            unix_socket_directories = ''
            max_connections = 100
            fsync = off
            synchronous_commit = off
            full_page_writes = off

            """));
        await File.WriteAllTextAsync(Path.Combine(DataDir, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\n");
        await RunAsync("chown", "-R", "postgres:", _folder);
    }

    private async Task<bool> AcceptsConnectionsAsync()
    {
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static Task RunAsPostgresAsync(string program, params string[] arguments)
        => RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments]);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            // The postgres user cannot read the test's working directory.
            WorkingDirectory = "/",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Patience);
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited with {process.ExitCode}: {await output}{await error}");
        }
    }

    private static string FindBinaries()
    {
        var bin = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderBy(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .LastOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException("PostgreSQL server binaries not found under /usr/lib/postgresql: run ops/services.sh start first.");
    }
}
