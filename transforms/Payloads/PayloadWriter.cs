using System.Diagnostics.Metrics;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using AiGateway.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// Takes payloads off the request path through a bounded channel and writes them in batches (binary COPY on Postgres);
/// assembling, redacting and cutting happen here, never on a call's thread. Payloads are the first thing to give way:
/// when the channel is full, or the store fails, a payload is dropped and counted (<c>aigw_payloads_dropped_total</c>) —
/// never a call, never its log row. Also sees to partitions ahead and retention (<c>Gateway:Payloads:RetentionDays</c>),
/// at start and every <see cref="MaintenanceInterval"/>.
/// </summary>
internal sealed class PayloadWriter : BackgroundService
{
    private const int BatchSize = 256;

    private static readonly TimeSpan ShutdownDrainTimeout = TimeSpan.FromSeconds(3);

    private readonly Channel<PayloadCapture> _channel;
    private readonly PayloadComposer _composer;
    private readonly IPayloadStore _store;
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly int _capacity;
    private long _dropped;
    private long _written;
    private int _queueFull;
    private DateTimeOffset _nextMaintenance;

    /// <summary>Creates the writer; the queue's capacity is read once.</summary>
    public PayloadWriter(PayloadComposer composer, IPayloadStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time, IMeterFactory meters, ILogger<PayloadWriter> logger)
    {
        _composer = composer;
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
        _capacity = options.CurrentValue.Payloads.QueueCapacity;
        _channel = Channel.CreateBounded<PayloadCapture>(new BoundedChannelOptions(_capacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // On the gateway's own meter, so /metrics shows them beside its other counters.
        var meter = meters.Create(CostLog.CallSpans.SourceName);
        meter.CreateObservableCounter("aigw.payloads.dropped", () => Dropped, "{payload}",
            "Payloads not stored: the queue was full, the store failed, or a custom redaction pattern timed out. Calls and log rows are never dropped.");
        meter.CreateObservableCounter("aigw.payloads.written", () => Written, "{payload}", "Payloads written to the store.");
        meter.CreateObservableGauge("aigw.payloads.queue_depth", () => (long)QueueDepth, "{payload}", "Payloads waiting in the writer's queue.");
    }

    /// <summary>How often partitions ahead and retention are seen to.</summary>
    internal TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Payloads dropped (queue full, store failure, redaction timeout).</summary>
    internal long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Payloads written.</summary>
    internal long Written => Interlocked.Read(ref _written);

    /// <summary>Payloads waiting.</summary>
    internal int QueueDepth => _channel.Reader.Count;

    /// <summary>Queues a payload without blocking; false (and counted as dropped) when the queue is full.</summary>
    public bool TryWrite(PayloadCapture capture)
    {
        if (_channel.Writer.TryWrite(capture))
        {
            return true;
        }

        Interlocked.Increment(ref _dropped);
        if (Interlocked.Exchange(ref _queueFull, 1) == 0)
        {
            PayloadWriterLog.QueueFull(_logger, _capacity);
        }

        return false;
    }

    /// <summary>Sees to partitions and retention now (the periodic sweep's work).</summary>
    internal async Task<long> MaintainAsync(CancellationToken cancellationToken)
    {
        var days = _options.CurrentValue.Payloads.RetentionDays;
        var removed = await _store.MaintainAsync(_time.GetUtcNow(), days, cancellationToken);
        if (removed > 0)
        {
            PayloadWriterLog.RetentionApplied(_logger, removed, days);
        }

        return removed;
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // What is queued gets a short while to be written (the loop ends once the completed channel is empty); then the
        // loop is cancelled and the rest is dropped with the process: payloads give way first, the host's timeout is short.
        _channel.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await Task.WhenAny(running, Task.Delay(ShutdownDrainTimeout, _time, cancellationToken));
        }

        await base.StopAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await MaintainOnScheduleAsync(stoppingToken);
        var captures = new List<PayloadCapture>(BatchSize);
        var records = new List<PayloadRecord>(BatchSize);
        var reader = _channel.Reader;
        try
        {
            // Wakes at least every minute, so that retention runs on an idle gateway too.
            while (await WaitAsync(reader, TimeSpan.FromMinutes(1), stoppingToken))
            {
                while (captures.Count < BatchSize && reader.TryRead(out var capture))
                {
                    captures.Add(capture);
                }

                if (captures.Count > 0)
                {
                    Compose(captures, records);
                    await WriteAsync(records, stoppingToken);
                    captures.Clear();
                    records.Clear();
                }

                if (Volatile.Read(ref _queueFull) == 1 && reader.Count < _capacity / 2)
                {
                    Volatile.Write(ref _queueFull, 0);
                }

                await MaintainOnScheduleAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopped before the queue drained (StopAsync waited a little): the rest is dropped, as payloads give way first.
        }
    }

    // True when there may be payloads to read (or it is time to look at retention); false once the channel is completed and empty.
    private static async Task<bool> WaitAsync(ChannelReader<PayloadCapture> reader, TimeSpan idle, CancellationToken stoppingToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        wake.CancelAfter(idle);
        try
        {
            return await reader.WaitToReadAsync(wake.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return true;
        }
    }

    private void Compose(List<PayloadCapture> captures, List<PayloadRecord> records)
    {
        foreach (var capture in captures)
        {
            try
            {
                records.Add(_composer.Compose(capture));
            }
            catch (RegexMatchTimeoutException)
            {
                Interlocked.Increment(ref _dropped);
                PayloadWriterLog.RedactionTimedOut(_logger);
            }
        }
    }

    private async Task WriteAsync(List<PayloadRecord> records, CancellationToken stoppingToken)
    {
        if (records.Count == 0)
        {
            return;
        }

        try
        {
            await _store.WriteAsync(records, stoppingToken);
            Interlocked.Add(ref _written, records.Count);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
        {
            Interlocked.Add(ref _dropped, records.Count);
            PayloadWriterLog.WriteFailed(_logger, records.Count, ex.Message, ex);
        }
    }

    private async Task MaintainOnScheduleAsync(CancellationToken stoppingToken)
    {
        var now = _time.GetUtcNow();
        if (now < _nextMaintenance)
        {
            return;
        }

        try
        {
            await MaintainAsync(stoppingToken);
            _nextMaintenance = now + MaintenanceInterval;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            PayloadWriterLog.MaintenanceFailed(_logger, ex.Message);
            _nextMaintenance = now + TimeSpan.FromMinutes(1);
        }
    }
}
