using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Asks every running stream whose upstream has been silent for <c>Gateway:Streaming:KeepAliveSeconds</c> for a
/// keepalive (<see cref="LiveResponse.KeepAlive"/>), which each of its readers writes. One timer for all streams: they
/// wait in one queue ordered by when each could next be due, so a tick touches only the streams due now, and a stream
/// that keeps sending events is looked at once per keepalive period, not once per event (10,000 slow streams cost a few
/// hundred queue operations a second, no timer or task each).
/// </summary>
internal sealed class StreamKeepAlive : IDisposable
{
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly Lock _gate = new();
    // Due time (Environment.TickCount64) first; a stream is never in it twice. The queue holds each stream through a
    // small slot that lets go of it when it ends (Forget): a stream ended seconds before its next check would
    // otherwise keep its whole answer alive until then (issue 21 measured 170 MB more RSS and twice the GC pauses on
    // 0 ms streams at 32 connections, with the default 15 s period).
    private readonly PriorityQueue<Slot, long> _due = new();
    private readonly ITimer _timer;
    private TimeSpan _period;

    /// <summary>Starts the timer; it ticks at an eighth of the keepalive period (50 ms to 1 s), so a keepalive is late by at most that.</summary>
    public StreamKeepAlive(IOptionsMonitor<GatewayOptions> options, TimeProvider time)
    {
        _options = options;
        _period = Period(options.CurrentValue.Streaming.KeepAliveSeconds);
        _timer = time.CreateTimer(static state => ((StreamKeepAlive)state!).Tick(), this, _period, _period);
    }

    /// <summary>Streams waiting for their next check.</summary>
    internal int Watched
    {
        get
        {
            lock (_gate)
            {
                return _due.Count;
            }
        }
    }

    /// <summary>Watches a stream until it ends (nothing while keepalives are off).</summary>
    public void Watch(LiveResponse live)
    {
        var seconds = _options.CurrentValue.Streaming.KeepAliveSeconds;
        if (seconds <= 0 || !live.IsStream || live.IsFinished)
        {
            return;
        }

        var slot = new Slot { Live = live };
        live.KeepAliveSlot = slot;
        lock (_gate)
        {
            _due.Enqueue(slot, live.LastActivity + (seconds * 1000L));
        }
    }

    /// <summary>Stops watching a stream that ended (its slot stays queued until due, holding nothing).</summary>
    public static void Forget(LiveResponse live)
    {
        if (live.KeepAliveSlot is { } slot)
        {
            Volatile.Write(ref slot.Live, null);
            live.KeepAliveSlot = null;
        }
    }

    /// <summary>Pulses every stream due now and puts each back for its next check; the timer calls it.</summary>
    internal void Tick()
    {
        var seconds = _options.CurrentValue.Streaming.KeepAliveSeconds;
        var now = Environment.TickCount64;
        List<LiveResponse>? pulse = null;
        lock (_gate)
        {
            if (seconds <= 0)
            {
                // Turned off by a reload: nothing is due any more.
                _due.Clear();
            }

            var period = seconds * 1000L;
            while (_due.TryPeek(out var slot, out var due) && due <= now)
            {
                _due.Dequeue();
                if (Volatile.Read(ref slot.Live) is not { IsFinished: false } live)
                {
                    continue;
                }

                // Activity since it was queued (an event, or a keepalive) moves its next check; a silent one is due now.
                var next = live.LastActivity + period;
                if (next <= now)
                {
                    (pulse ??= []).Add(live);
                    next = now + period;
                }

                _due.Enqueue(slot, next);
            }
        }

        if (pulse is not null)
        {
            // Outside the lock: each pulse runs the readers that wait on it until they next wait.
            foreach (var live in pulse)
            {
                live.KeepAlive();
            }
        }

        var wanted = Period(seconds);
        if (wanted != _period)
        {
            _period = wanted;
            _timer.Change(wanted, wanted);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _timer.Dispose();

    /// <summary>A stream's place in the queue.</summary>
    internal sealed class Slot
    {
        /// <summary>The stream, until it ends.</summary>
        public LiveResponse? Live;
    }

    private static TimeSpan Period(int keepAliveSeconds) =>
        TimeSpan.FromMilliseconds(Math.Clamp(keepAliveSeconds * 1000L / 8, 50, 1000));
}
