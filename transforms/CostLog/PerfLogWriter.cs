using System.Threading.Channels;
using AiGateway.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Takes log rows off the request path through a bounded channel and writes them to the store in batches, at least
/// every <c>Gateway:Log:FlushIntervalMs</c>. Nothing is dropped: while the store is unavailable, or when the channel is
/// full, rows go to <see cref="PerfLogSpill"/> files that are replayed (idempotently) once it is back; stopping drains
/// the channel. With <c>Gateway:Log:Journal</c> on, a row is journaled before it is queued (<see cref="PerfLogJournal"/>),
/// and the journal lets go of it once its batch is stored or spilled.
/// </summary>
internal sealed class PerfLogWriter : BackgroundService, IPerfLogWriter
{
    // While stopping, a write may take this long before its rows are spilled instead: the host's shutdown timeout is short.
    private static readonly TimeSpan ShutdownWriteTimeout = TimeSpan.FromSeconds(5);

    private readonly Channel<PerfLogRecord> _channel;
    private readonly PerfLogBatcher _batcher;
    private readonly IPerfLogStore _store;
    private readonly PerfLogSpill _spill;
    private readonly PerfLogJournal? _journal;
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private readonly int _batchSize;
    private int _queueFull;
    private int _running;
    private volatile bool _stopping;
    private long _writtenRows;
    private long _spilledRows;
    private long _replayedRows;
    private long _rejectedRows;
    private long _lostRows;
    private bool _storeDown;
    private TimeSpan _retryDelay;
    private DateTimeOffset _retryAt;
    private DateTimeOffset _nextMaintenance;

    /// <summary>Creates the writer; the channel capacity and batch size are read once, the flush interval and retention on every use.</summary>
    public PerfLogWriter(IPerfLogStore store, PerfLogSpill spill, IOptionsMonitor<GatewayOptions> options, TimeProvider time, ILogger<PerfLogWriter> logger)
    {
        _store = store;
        _spill = spill;
        _options = options;
        _time = time;
        _logger = logger;
        var log = options.CurrentValue.Log;
        _capacity = log.QueueCapacity;
        _batchSize = log.BatchSize;
        _channel = Channel.CreateBounded<PerfLogRecord>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _batcher = new PerfLogBatcher(_channel.Reader, _batchSize, options, time);
        _journal = log.Journal ? new PerfLogJournal(spill.Folder, logger) : null;
    }

    /// <summary>The first wait before the store is tried again after it failed; doubled on each failure.</summary>
    internal TimeSpan MinRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before the store is tried again.</summary>
    internal TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often partitions ahead and retention are seen to.</summary>
    internal TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Rows handed to the store successfully (replays included).</summary>
    internal long WrittenRows => Interlocked.Read(ref _writtenRows);

    /// <summary>Rows written to spill files (store unavailable, channel full, or after stop).</summary>
    internal long SpilledRows => Interlocked.Read(ref _spilledRows);

    /// <summary>Spilled rows written to the store later.</summary>
    internal long ReplayedRows => Interlocked.Read(ref _replayedRows);

    /// <summary>Rows the store refused, kept in <c>rejected-*.jsonl</c>.</summary>
    internal long RejectedRows => Interlocked.Read(ref _rejectedRows);

    /// <summary>Rows that could be neither stored nor spilled.</summary>
    internal long LostRows => Interlocked.Read(ref _lostRows);

    /// <summary>Rows waiting in the queue.</summary>
    internal int QueueDepth => _channel.Reader.Count;

    private DateTimeOffset Now => _time.GetUtcNow();

    /// <inheritdoc/>
    public bool TryWrite(PerfLogRecord record)
    {
        if (record is null)
        {
            return false;
        }

        _journal?.Append(record);
        return _channel.Writer.TryWrite(record) || SpillFromRequestPath(record);
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        _channel.Writer.TryComplete();
        await base.StopAsync(cancellationToken);
        // A stop that comes before ExecuteAsync ever ran (BackgroundService then skips it) must still drain the channel.
        if (Interlocked.Exchange(ref _running, 1) == 0)
        {
            await RunAsync(new CancellationToken(canceled: true));
        }
    }

    /// <inheritdoc/>
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Interlocked.Exchange(ref _running, 1) == 0 ? RunAsync(stoppingToken) : Task.CompletedTask;

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        if (!stoppingToken.IsCancellationRequested)
        {
            await MaintainAsync(stoppingToken);
        }

        var batch = new List<PerfLogRecord>(Math.Min(_batchSize, 4096));
        var open = true;
        while (open)
        {
            open = await _batcher.CollectAsync(batch);
            var stopping = stoppingToken.IsCancellationRequested;
            try
            {
                if (batch.Count > 0)
                {
                    await FlushAsync(batch, stopping);
                }
                else if (_spill.HasPending && CanTryStore() && !stopping)
                {
                    await ReplayAsync();
                }

                if (!stopping && !_storeDown && Now >= _nextMaintenance)
                {
                    await MaintainAsync(stoppingToken);
                }
            }
            catch (Exception ex)
            {
                PerfLogWriterLog.WriterFailed(_logger, ex);
                if (batch.Count > 0)
                {
                    Spill(batch);
                }
            }

            foreach (var record in batch)
            {
                PerfLogJournal.Settle(record);
            }

            batch.Clear();
            if (Volatile.Read(ref _queueFull) == 1 && _channel.Reader.Count < _capacity / 2)
            {
                Volatile.Write(ref _queueFull, 0);
            }
        }

        // Drained: close the spill file so that the next start (or another instance) can replay it; the journal's last
        // file holds only settled rows now and goes.
        _spill.Close();
        _journal?.Dispose();
    }

    private bool SpillFromRequestPath(PerfLogRecord record)
    {
        if (!_stopping && Interlocked.Exchange(ref _queueFull, 1) == 0)
        {
            PerfLogWriterLog.QueueFull(_logger, _capacity, _spill.Folder);
        }

        var spilled = _spill.TryAppend([record], durable: false);
        PerfLogJournal.Settle(record);
        if (spilled)
        {
            Interlocked.Increment(ref _spilledRows);
            return true;
        }

        Interlocked.Increment(ref _lostRows);
        return false;
    }

    private async Task FlushAsync(List<PerfLogRecord> batch, bool stopping)
    {
        if (!CanTryStore())
        {
            Spill(batch);
            return;
        }

        // Spilled rows go first, so the store sees rows roughly in order; while stopping they wait for the next start.
        if (_spill.HasPending && !stopping && !await ReplayAsync())
        {
            Spill(batch);
            return;
        }

        if (!await WriteAsync(batch, stopping))
        {
            Spill(batch);
        }
    }

    // True when the rows are stored or, refused by the store, kept aside as rejected; false when the store is unavailable.
    private async Task<bool> WriteAsync(IReadOnlyList<PerfLogRecord> rows, bool stopping)
    {
        using var timeout = stopping ? new CancellationTokenSource(ShutdownWriteTimeout, _time) : null;
        try
        {
            await _store.WriteAsync(rows, timeout?.Token ?? CancellationToken.None);
            Interlocked.Add(ref _writtenRows, rows.Count);
            MarkAvailable();
            return true;
        }
        catch (Exception ex) when (_store.IsRejection(ex))
        {
            if (rows.Count == 1)
            {
                Reject(rows, ex);
                return true;
            }

            // Halve until the refused rows are isolated: one bad row must not hold back its batch.
            var half = rows.Count / 2;
            return await WriteAsync(Slice(rows, 0, half), stopping) && await WriteAsync(Slice(rows, half, rows.Count - half), stopping);
        }
        catch (Exception ex)
        {
            MarkUnavailable(ex);
            return false;
        }
    }

    private async Task<bool> ReplayAsync()
    {
        long replayed = 0;
        try
        {
            foreach (var path in _spill.Seal())
            {
                using var file = PerfLogSpill.TryClaim(path);
                if (file is null)
                {
                    continue;
                }

                foreach (var rows in file.ReadBatches(_batchSize))
                {
                    if (!await WriteAsync(rows, stopping: false))
                    {
                        _spill.MarkPending();
                        return false;
                    }

                    replayed += rows.Count;
                }

                if (file.UnreadableLines > 0)
                {
                    PerfLogWriterLog.SpillLinesUnreadable(_logger, file.UnreadableLines, path);
                }

                file.Complete();
            }

            return true;
        }
        catch
        {
            _spill.MarkPending();
            throw;
        }
        finally
        {
            if (replayed > 0)
            {
                Interlocked.Add(ref _replayedRows, replayed);
                PerfLogWriterLog.Replayed(_logger, replayed);
            }
        }
    }

    private async Task MaintainAsync(CancellationToken stoppingToken)
    {
        try
        {
            var removed = await _store.MaintainAsync(Now, _options.CurrentValue.Log.RetentionMonths, stoppingToken);
            if (removed > 0)
            {
                PerfLogWriterLog.RetentionApplied(_logger, removed, _options.CurrentValue.Log.RetentionMonths);
            }

            _nextMaintenance = Now + MaintenanceInterval;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            PerfLogWriterLog.MaintenanceFailed(_logger, ex.Message);
            _nextMaintenance = Now + TimeSpan.FromMinutes(1);
        }
        catch (Exception)
        {
            // Stopping: maintenance waits for the next start.
            _nextMaintenance = Now + MaintenanceInterval;
        }
    }

    private bool CanTryStore() => !_storeDown || Now >= _retryAt;

    private void MarkAvailable()
    {
        if (_storeDown)
        {
            _storeDown = false;
            PerfLogWriterLog.StoreAvailable(_logger);
        }

        _retryDelay = TimeSpan.Zero;
    }

    private void MarkUnavailable(Exception exception)
    {
        _retryDelay = _storeDown ? TimeSpan.FromTicks(Math.Min(_retryDelay.Ticks * 2, MaxRetryDelay.Ticks)) : MinRetryDelay;
        _retryAt = Now + _retryDelay;
        if (!_storeDown)
        {
            _storeDown = true;
            PerfLogWriterLog.StoreUnavailable(_logger, exception.Message, _spill.Folder, exception);
        }
    }

    private void Spill(IReadOnlyList<PerfLogRecord> rows)
    {
        if (_spill.TryAppend(rows, durable: true))
        {
            Interlocked.Add(ref _spilledRows, rows.Count);
            return;
        }

        Interlocked.Add(ref _lostRows, rows.Count);
        PerfLogWriterLog.RowsLost(_logger, rows.Count, _spill.Folder);
    }

    private void Reject(IReadOnlyList<PerfLogRecord> rows, Exception exception)
    {
        if (_spill.TryReject(rows))
        {
            Interlocked.Add(ref _rejectedRows, rows.Count);
            PerfLogWriterLog.RowsRejected(_logger, rows.Count, exception.Message, _spill.Folder);
            return;
        }

        Interlocked.Add(ref _lostRows, rows.Count);
        PerfLogWriterLog.RowsLost(_logger, rows.Count, _spill.Folder);
    }

    private static IReadOnlyList<PerfLogRecord> Slice(IReadOnlyList<PerfLogRecord> rows, int start, int count)
    {
        var slice = new PerfLogRecord[count];
        for (var i = 0; i < count; i++)
        {
            slice[i] = rows[start + i];
        }

        return slice;
    }
}
