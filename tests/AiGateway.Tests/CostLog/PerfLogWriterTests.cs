using System.Net;
using System.Net.Sockets;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.CostLog;

public sealed class PerfLogWriterTests : IDisposable
{
    // Today: the writer applies retention at start, which would drop rows of a month long past.
    private static readonly DateTimeOffset Day = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(1);
    private static readonly string DayText = Day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-costlog-").FullName;

    private string SpillFolder => Path.Combine(_dataDir, "spill");

    public void Dispose() => Directory.Delete(_dataDir, recursive: true);

    [Fact]
    public async Task TryWrite_SeveralFlushes_RowsAndRollupInPostgres()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        await writer.StartAsync(CancellationToken.None);

        var written = 0;
        foreach (var (count, org) in new[] { (120, "org-a"), (80, "org-a"), (50, "org-b") })
        {
            Assert.All(PerfLogRows.Batch(count, Day, first: written, org: org), row => Assert.True(writer.TryWrite(row)));
            written += count;
            await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(db.ConnectionString) == written, $"{written} rows stored");
        }

        await writer.StopAsync(CancellationToken.None);
        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(db.ConnectionString);
        Assert.Equal(fromLog, rollup);
        Assert.StartsWith($"{DayText}|org-a|dominus.analyze|gpt-4o-mini|200|", rollup[0]);
        Assert.Equal(0, writer.SpilledRows);
    }

    [Fact]
    public async Task StopAsync_RowsStillQueued_WrittenBeforeItReturns()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill, flushIntervalMs: 1000);
        await writer.StartAsync(CancellationToken.None);

        foreach (var row in PerfLogRows.Batch(500, Day))
        {
            writer.TryWrite(row);
        }

        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(500, await PerfLogRows.CountAsync(db.ConnectionString));
        Assert.False(spill.HasPending);
    }

    [Fact]
    public async Task TryWrite_QueueFull_SpillsInsteadOfDroppingAndWritesEveryRowLater()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill, queueCapacity: 5);
        var rows = PerfLogRows.Batch(40, Day);

        // Not started yet: nothing drains the queue, so all but 5 rows overflow.
        Assert.All(rows, row => Assert.True(writer.TryWrite(row)));
        Assert.Equal(35, writer.SpilledRows);

        await writer.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(db.ConnectionString) == 40, "every row stored");
        await writer.StopAsync(CancellationToken.None);

        var stored = await PerfLogRows.ReadAllAsync(db.ConnectionString);
        foreach (var (expected, actual) in rows.OrderBy(r => r.Id).Zip(stored))
        {
            PerfLogRows.AssertSame(expected, actual);
        }

        Assert.Empty(Directory.GetFiles(SpillFolder, "perf-*.jsonl"));
        Assert.Equal(0, writer.LostRows);
    }

    [Fact]
    public async Task TryWrite_DatabaseNotThere_SpillsThenWritesEachRowOnceWhenItComes()
    {
        var name = "aigw_test_" + Guid.NewGuid().ToString("N")[..12];
        var connectionString = new NpgsqlConnectionStringBuilder(TestServices.Postgres) { Database = name }.ConnectionString;
        await using var database = new PostgresDatabase(connectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            foreach (var row in PerfLogRows.Batch(300, Day))
            {
                writer.TryWrite(row);
            }

            await Eventually.UntilAsync(() => writer.SpilledRows == 300, "300 rows spilled");
            foreach (var row in PerfLogRows.Batch(100, Day, first: 300))
            {
                writer.TryWrite(row);
            }

            await Eventually.UntilAsync(() => writer.SpilledRows == 400, "400 rows spilled");
            Assert.Equal(0, writer.WrittenRows);

            await AdminAsync($"CREATE DATABASE {name}");
            await database.MigrateAsync();
            foreach (var row in PerfLogRows.Batch(100, Day, first: 400))
            {
                writer.TryWrite(row);
            }

            await Eventually.UntilAsync(async () => await PerfLogRows.CountOrZeroAsync(connectionString) == 500, "500 rows stored");
            await writer.StopAsync(CancellationToken.None);

            Assert.Equal(500, await PerfLogRows.CountAsync(connectionString));
            Assert.Equal(400, writer.ReplayedRows);
            var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(connectionString);
            Assert.Equal(fromLog, rollup);
            Assert.StartsWith($"{DayText}|org-a|dominus.analyze|gpt-4o-mini|500|", Assert.Single(rollup, line => !line.StartsWith("month:", StringComparison.Ordinal)));
            Assert.Empty(Directory.GetFiles(SpillFolder, "perf-*.jsonl"));
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
            NpgsqlConnection.ClearAllPools();
            await AdminAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        }
    }

    [Fact]
    public async Task StartAsync_SpillFilesOfEarlierRun_ReplayedExactlyOnce()
    {
        // A first gateway run whose Postgres was unreachable (a closed port) spills everything and stops.
        var closed = new NpgsqlConnectionStringBuilder(TestServices.Postgres) { Port = ClosedPort(), Timeout = 2 }.ConnectionString;
        await using (var unreachable = new PostgresDatabase(closed))
        {
            using var spill = new PerfLogSpill(SpillFolder);
            var first = CreateWriter(new PostgresPerfLogStore(unreachable), spill);
            await first.StartAsync(CancellationToken.None);
            foreach (var row in PerfLogRows.Batch(250, Day))
            {
                first.TryWrite(row);
            }

            await first.StopAsync(CancellationToken.None);
            Assert.Equal(250, first.SpilledRows);
        }

        var spilled = Directory.GetFiles(SpillFolder, "perf-*.jsonl");
        Assert.NotEmpty(spilled);
        var copies = spilled.ToDictionary(f => f, File.ReadAllBytes);

        // The next run, with Postgres back, replays them at start.
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        await RunUntilSpillReplayedAsync(database);
        Assert.Equal(250, await PerfLogRows.CountAsync(db.ConnectionString));
        var rollupOnce = await PerfLogRows.RollupAndLogAsync(db.ConnectionString);

        // A crash between writing a file and deleting it leaves the file behind: replaying it again adds nothing.
        foreach (var (path, bytes) in copies)
        {
            await File.WriteAllBytesAsync(path, bytes);
        }

        await RunUntilSpillReplayedAsync(database);
        Assert.Equal(250, await PerfLogRows.CountAsync(db.ConnectionString));
        var rollupTwice = await PerfLogRows.RollupAndLogAsync(db.ConnectionString);
        Assert.Equal(rollupOnce.Rollup, rollupTwice.Rollup);
        Assert.Equal(rollupTwice.FromLog, rollupTwice.Rollup);
    }

    [Fact]
    public async Task TryWrite_RowTheStoreRefuses_SetAsideWhileItsBatchIsStored()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        var rows = PerfLogRows.Batch(100, Day);
        rows[37].Error = "nul \0 byte";
        await writer.StartAsync(CancellationToken.None);

        foreach (var row in rows)
        {
            writer.TryWrite(row);
        }

        await Eventually.UntilAsync(() => writer.RejectedRows == 1, "the bad row set aside");
        await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(db.ConnectionString) == 99, "the other 99 rows stored");
        await writer.StopAsync(CancellationToken.None);

        var rejected = Assert.Single(Directory.GetFiles(SpillFolder, "rejected-*.jsonl"));
        Assert.Contains(rows[37].Id.ToString(), await File.ReadAllTextAsync(rejected));
        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(db.ConnectionString);
        Assert.Equal(fromLog, rollup);
    }

    [Fact]
    public async Task TryWrite_RowInTheJournalWhenItReturns_JournalGoneOnceStoredAndStopped()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill, flushIntervalMs: 1000);
        await writer.StartAsync(CancellationToken.None);

        var rows = PerfLogRows.Batch(300, Day);
        await Task.WhenAll(rows.Select(row => Task.Run(() =>
        {
            Assert.True(writer.TryWrite(row));
            // What a kill -9 would leave: the row is in a journal file, whether or not the store has it yet.
            Assert.Contains(row.Id.ToString(), JournalText());
        })));
        await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(db.ConnectionString) == 300, "every row stored");
        await writer.StopAsync(CancellationToken.None);

        Assert.Empty(Directory.GetFiles(SpillFolder, PerfLogJournal.Pattern));
        Assert.Equal(0, writer.SpilledRows);
    }

    [Fact]
    public async Task StartAsync_JournalOfAKilledProcess_ReplayedOnceWithRowsAlreadyStoredSkipped()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        var rows = PerfLogRows.Batch(60, Day);
        // The killed process had stored the first 20 rows; its journal holds all 60.
        await new PostgresPerfLogStore(database).WriteAsync(rows[..20], CancellationToken.None);
        Directory.CreateDirectory(SpillFolder);
        await File.WriteAllLinesAsync(Path.Combine(SpillFolder, "journal-20261207T000000000000-1-000001.jsonl"),
            rows.Select(row => System.Text.Json.JsonSerializer.Serialize(row, PerfLogJsonContext.Default.PerfLogRecord)));

        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        await writer.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Directory.GetFiles(SpillFolder).Length == 0, "the journal adopted and replayed");
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(60, await PerfLogRows.CountAsync(db.ConnectionString));
        var (rollup, fromLog) = await PerfLogRows.RollupAndLogAsync(db.ConnectionString);
        Assert.Equal(fromLog, rollup);
    }

    [Fact]
    public async Task TryWrite_JournalCannotBeWritten_RowsStillStoredAndNoCallFails()
    {
        await using var db = await TestServices.CreateDatabaseAsync();
        await using var database = await MigratedAsync(db.ConnectionString);
        // A file where the folder should be: no journal file can be made (a full or read-only disk acts the same).
        await File.WriteAllTextAsync(SpillFolder, "not a folder");
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        await writer.StartAsync(CancellationToken.None);

        Assert.All(PerfLogRows.Batch(50, Day), row => Assert.True(writer.TryWrite(row)));
        await Eventually.UntilAsync(async () => await PerfLogRows.CountAsync(db.ConnectionString) == 50, "every row stored");
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(0, writer.LostRows);
        File.Delete(SpillFolder);
    }

    private string JournalText()
    {
        var text = new System.Text.StringBuilder();
        foreach (var path in Directory.GetFiles(SpillFolder, PerfLogJournal.Pattern))
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            text.Append(new StreamReader(stream).ReadToEnd());
        }

        return text.ToString();
    }

    private async Task RunUntilSpillReplayedAsync(PostgresDatabase database)
    {
        using var spill = new PerfLogSpill(SpillFolder);
        var writer = CreateWriter(new PostgresPerfLogStore(database), spill);
        await writer.StartAsync(CancellationToken.None);
        await Eventually.UntilAsync(() => Directory.GetFiles(SpillFolder, "perf-*.jsonl").Length == 0, "spill files replayed");
        await writer.StopAsync(CancellationToken.None);
    }

    private static PerfLogWriter CreateWriter(IPerfLogStore store, PerfLogSpill spill, int flushIntervalMs = 50, int queueCapacity = 10_000)
    {
        var options = new GatewayOptions { Log = { FlushIntervalMs = flushIntervalMs, QueueCapacity = queueCapacity, BatchSize = 1000 } };
        return new PerfLogWriter(store, spill, new FixedOptionsMonitor<GatewayOptions>(options), TimeProvider.System, NullLogger<PerfLogWriter>.Instance)
        {
            MinRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };
    }

    private static async Task<PostgresDatabase> MigratedAsync(string connectionString)
    {
        var database = new PostgresDatabase(connectionString);
        await database.MigrateAsync();
        return database;
    }

    private static async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(TestServices.Postgres);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
