using System.Diagnostics;
using System.Reflection;
using AiGateway.Config;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace CostLogBench;

/// <summary>
/// Sustained rows/s into Postgres, three ways over the same rows, interleaved by round: plain binary COPY straight into
/// <c>ai_performance_logs</c> with Npgsql alone (the baseline: no rollup, no queue), the gateway's store called batch by
/// batch (COPY into the log and an upsert of the rollup rows summed in memory, in one transaction), and the whole <c>PerfLogWriter</c> (bounded channel,
/// background batching, the same store), fed through <c>TryWrite</c> as fast as it accepts rows without spilling.
/// </summary>
internal sealed class WriterBench : IAsyncDisposable
{
    private const string Columns =
        "id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code, cache_status, dedupe_role, attempts, " +
        "prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd, duration_ms, ttft_ms, upstream_ms, request_hash, error";

    private readonly BenchDatabase _database;
    private readonly IHost _host;
    private readonly string _dataDir;
    private readonly IPerfLogWriter _writer;
    private readonly Func<long> _writtenRows;
    private readonly Func<long> _spilledRows;
    private readonly Func<int> _queueDepth;
    private readonly Func<IReadOnlyList<PerfLogRecord>, CancellationToken, Task> _storeWrite;

    private WriterBench(BenchDatabase database, IHost host, string dataDir)
    {
        _database = database;
        _host = host;
        _dataDir = dataDir;
        Log = host.Services.GetRequiredService<IOptions<GatewayOptions>>().Value.Log;
        _writer = host.Services.GetRequiredService<IPerfLogWriter>();
        // The writer's counters and its store are internal to the gateway: read through reflection, bench only.
        _writtenRows = Getter<long>(_writer, "WrittenRows");
        _spilledRows = Getter<long>(_writer, "SpilledRows");
        _queueDepth = Getter<int>(_writer, "QueueDepth");
        var storeType = typeof(IPerfLogWriter).Assembly.GetType("AiGateway.Transforms.CostLog.IPerfLogStore", throwOnError: true)!;
        var store = host.Services.GetRequiredService(storeType);
        _storeWrite = (Func<IReadOnlyList<PerfLogRecord>, CancellationToken, Task>)Delegate.CreateDelegate(
            typeof(Func<IReadOnlyList<PerfLogRecord>, CancellationToken, Task>), store, storeType.GetMethod("WriteAsync")!);
    }

    public LogOptions Log { get; }

    /// <summary>Starts the gateway's storage and cost log services (migrations, prices, writer) on <paramref name="database"/>.</summary>
    public static async Task<WriterBench> StartAsync(BenchDatabase database)
    {
        var dataDir = Directory.CreateTempSubdirectory("aigw-costbench-").FullName;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Gateway:DataDir"] = dataDir,
        });
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Error);
        builder.Services.AddGatewayOptions(builder.Configuration);
        builder.Services.AddGatewayStorage(builder.Configuration);
        builder.Services.AddCostLog(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync();
        return new WriterBench(database, host, dataDir);
    }

    /// <summary>Plain binary COPY of <paramref name="rows"/> into the log, one COPY per batch, on one connection.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="asyncWrites">Write each value with an awaited <c>WriteAsync</c>, as the gateway's store does, instead of <c>Write</c>.</param>
    public async Task<double> PlainCopyAsync(PerfLogRecord[] rows, bool asyncWrites = false)
    {
        await ResetAsync();
        await using var connection = await _database.OpenAsync();
        var watch = Stopwatch.StartNew();
        foreach (var batch in rows.Chunk(Log.BatchSize))
        {
            await using var importer = await connection.BeginBinaryImportAsync($"COPY ai_performance_logs ({Columns}) FROM STDIN (FORMAT BINARY)");
            foreach (var r in batch)
            {
                if (asyncWrites)
                {
                    await WriteRowAsync(importer, r);
                }
                else
                {
                    WriteRow(importer, r);
                }
            }

            await importer.CompleteAsync();
        }

        var seconds = watch.Elapsed.TotalSeconds;
        await VerifyAsync(rows.Length, withRollup: false);
        return rows.Length / seconds;
    }

    /// <summary>The gateway's store, batch after batch, without the queue.</summary>
    public async Task<double> StoreAsync(PerfLogRecord[] rows)
    {
        await ResetAsync();
        var watch = Stopwatch.StartNew();
        foreach (var batch in rows.Chunk(Log.BatchSize))
        {
            await _storeWrite(batch, CancellationToken.None);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        await VerifyAsync(rows.Length, withRollup: true);
        return rows.Length / seconds;
    }

    /// <summary>The writer: rows offered through TryWrite while the queue has room, timed until the last one is stored.</summary>
    public async Task<double> WriterAsync(PerfLogRecord[] rows)
    {
        await ResetAsync();
        var written = _writtenRows();
        var spilled = _spilledRows();
        // Leave headroom below the capacity: a TryWrite into a full queue spills to disk, which is not what is measured here.
        var room = Log.QueueCapacity - Math.Max(1000, Log.QueueCapacity / 20);
        var watch = Stopwatch.StartNew();
        foreach (var row in rows)
        {
            while (_queueDepth() >= room)
            {
                Thread.Sleep(1);
            }

            _writer.TryWrite(row);
        }

        while (_writtenRows() - written < rows.Length)
        {
            Thread.Sleep(1);
        }

        var seconds = watch.Elapsed.TotalSeconds;
        if (_spilledRows() != spilled)
        {
            throw new InvalidOperationException($"{_spilledRows() - spilled} rows were spilled during the writer run; the figure would not be the writer's.");
        }

        await VerifyAsync(rows.Length, withRollup: true);
        return rows.Length / seconds;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private Task ResetAsync() => _database.ExecuteAsync("TRUNCATE ai_performance_logs, ai_cost_daily");

    private async Task VerifyAsync(long expected, bool withRollup)
    {
        var stored = await _database.ScalarAsync<long>("SELECT count(*) FROM ai_performance_logs");
        var rolledUp = withRollup ? await _database.ScalarAsync<decimal>("SELECT coalesce(sum(requests), 0) FROM ai_cost_daily") : expected;
        if (stored != expected || rolledUp != expected)
        {
            throw new InvalidOperationException($"Expected {expected} rows; the log holds {stored}, the rollup counts {rolledUp}.");
        }
    }

    private static void WriteRow(NpgsqlBinaryImporter importer, PerfLogRecord r)
    {
        importer.StartRow();
        importer.Write(r.Id, NpgsqlDbType.Uuid);
        importer.Write(r.Ts.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        importer.Write(r.OrgId, NpgsqlDbType.Text);
        WriteNullable(importer, r.Route, NpgsqlDbType.Text);
        importer.Write(r.Endpoint, NpgsqlDbType.Text);
        WriteNullable(importer, r.ModelRequested, NpgsqlDbType.Text);
        WriteNullable(importer, r.ModelUsed, NpgsqlDbType.Text);
        WriteNullable(importer, r.Mode, NpgsqlDbType.Text);
        importer.Write(r.Stream, NpgsqlDbType.Boolean);
        importer.Write(r.StatusCode, NpgsqlDbType.Integer);
        importer.Write(r.CacheStatus, NpgsqlDbType.Text);
        WriteNullable(importer, r.DedupeRole, NpgsqlDbType.Text);
        importer.Write(r.Attempts, NpgsqlDbType.Integer);
        importer.Write(r.PromptTokens, NpgsqlDbType.Bigint);
        importer.Write(r.CachedTokens, NpgsqlDbType.Bigint);
        importer.Write(r.CompletionTokens, NpgsqlDbType.Bigint);
        importer.Write(r.UsageEstimated, NpgsqlDbType.Boolean);
        WriteNullable(importer, r.CostUsd, NpgsqlDbType.Numeric);
        WriteNullable(importer, r.SavedUsd, NpgsqlDbType.Numeric);
        importer.Write(r.DurationMs, NpgsqlDbType.Integer);
        WriteNullable(importer, r.TtftMs, NpgsqlDbType.Integer);
        WriteNullable(importer, r.UpstreamMs, NpgsqlDbType.Integer);
        importer.Write(r.RequestHash, NpgsqlDbType.Text);
        WriteNullable(importer, r.Error, NpgsqlDbType.Text);
    }

    // The same values, each awaited, in the order and with the types PostgresPerfLogStore uses.
    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, PerfLogRecord r)
    {
        await importer.StartRowAsync();
        await importer.WriteAsync(r.Id, NpgsqlDbType.Uuid);
        await importer.WriteAsync(r.Ts.ToUniversalTime(), NpgsqlDbType.TimestampTz);
        await importer.WriteAsync(r.OrgId, NpgsqlDbType.Text);
        await WriteNullableAsync(importer, r.Route);
        await importer.WriteAsync(r.Endpoint, NpgsqlDbType.Text);
        await WriteNullableAsync(importer, r.ModelRequested);
        await WriteNullableAsync(importer, r.ModelUsed);
        await WriteNullableAsync(importer, r.Mode);
        await importer.WriteAsync(r.Stream, NpgsqlDbType.Boolean);
        await importer.WriteAsync(r.StatusCode, NpgsqlDbType.Integer);
        await importer.WriteAsync(r.CacheStatus, NpgsqlDbType.Text);
        await WriteNullableAsync(importer, r.DedupeRole);
        await importer.WriteAsync(r.Attempts, NpgsqlDbType.Integer);
        await importer.WriteAsync(r.PromptTokens, NpgsqlDbType.Bigint);
        await importer.WriteAsync(r.CachedTokens, NpgsqlDbType.Bigint);
        await importer.WriteAsync(r.CompletionTokens, NpgsqlDbType.Bigint);
        await importer.WriteAsync(r.UsageEstimated, NpgsqlDbType.Boolean);
        await (r.CostUsd is { } cost ? importer.WriteAsync(cost, NpgsqlDbType.Numeric) : importer.WriteNullAsync());
        await (r.SavedUsd is { } saved ? importer.WriteAsync(saved, NpgsqlDbType.Numeric) : importer.WriteNullAsync());
        await importer.WriteAsync(r.DurationMs, NpgsqlDbType.Integer);
        await (r.TtftMs is { } ttft ? importer.WriteAsync(ttft, NpgsqlDbType.Integer) : importer.WriteNullAsync());
        await (r.UpstreamMs is { } upstream ? importer.WriteAsync(upstream, NpgsqlDbType.Integer) : importer.WriteNullAsync());
        await importer.WriteAsync(r.RequestHash, NpgsqlDbType.Text);
        await WriteNullableAsync(importer, r.Error);
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value)
        => value is null ? importer.WriteNullAsync() : importer.WriteAsync(value, NpgsqlDbType.Text);

    private static void WriteNullable(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            importer.WriteNull();
        }
        else
        {
            importer.Write(value, type);
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, int? value, NpgsqlDbType type)
    {
        if (value is { } v)
        {
            importer.Write(v, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static void WriteNullable(NpgsqlBinaryImporter importer, decimal? value, NpgsqlDbType type)
    {
        if (value is { } v)
        {
            importer.Write(v, type);
        }
        else
        {
            importer.WriteNull();
        }
    }

    private static Func<T> Getter<T>(object target, string property)
    {
        var getter = target.GetType().GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.Public)?.GetMethod
            ?? throw new MissingMemberException(target.GetType().FullName, property);
        return (Func<T>)Delegate.CreateDelegate(typeof(Func<T>), target, getter);
    }
}
