using System.Buffers;
using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Renews the leases of every answer this instance mirrors on one timer, a pipelined batch per tick, and tells each
/// answer whether clients on other instances read it. Most answers end long before their first renewal is due: they
/// cost an entry in a list, not a timer, a task and a cancellation source each.
/// </summary>
internal sealed class RedisLeaseRenewer : IDisposable
{
    private readonly RedisConnection _redis;
    private readonly List<RedisLiveMirror> _held = [];
    private readonly Timer _timer;
    private long _period = long.MaxValue;
    private bool _running;
    private bool _disposed;

    /// <summary>Renews on <paramref name="redis"/>; the timer runs only while some lease is held.</summary>
    public RedisLeaseRenewer(RedisConnection redis)
    {
        _redis = redis;
        _timer = new Timer(static state => _ = ((RedisLeaseRenewer)state!).TickAsync(), this, Timeout.Infinite, Timeout.Infinite);
    }

    /// <summary>Starts renewing the lease of <paramref name="mirror"/>, taken just now.</summary>
    public void Add(RedisLiveMirror mirror)
    {
        mirror.LeaseRenewedAt = Environment.TickCount64;
        bool arm;
        lock (_held)
        {
            mirror.LeaseSlot = _held.Count;
            _held.Add(mirror);
            // A tick at a quarter of the lease: a lease is renewed by half of it, and again by three quarters if that failed.
            arm = !_running || mirror.RenewEveryMs < _period;
            _period = _running ? Math.Min(_period, mirror.RenewEveryMs) : mirror.RenewEveryMs;
            _running = true;
        }

        if (arm)
        {
            Arm();
        }
    }

    /// <summary>Stops renewing the lease of <paramref name="mirror"/>, and stops counting its remote readers.</summary>
    public void Remove(RedisLiveMirror mirror)
    {
        lock (_held)
        {
            // Swap the last entry into the freed slot: no search, no shifting.
            var slot = mirror.LeaseSlot;
            if (slot < 0)
            {
                return;
            }

            var last = _held[^1];
            _held[slot] = last;
            last.LeaseSlot = slot;
            _held.RemoveAt(_held.Count - 1);
            mirror.LeaseSlot = -1;
        }

        mirror.CloseRemoteReaders();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_held)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }

    private void Arm()
    {
        long period;
        lock (_held)
        {
            if (_disposed)
            {
                return;
            }

            period = _period;
        }

        try
        {
            _timer.Change(period, Timeout.Infinite);
        }
        catch (ObjectDisposedException)
        {
            // Shut down between the check and the change.
        }
    }

    private async Task TickAsync()
    {
        var now = Environment.TickCount64;
        RedisLiveMirror[] due;
        var count = 0;
        lock (_held)
        {
            if (_held.Count == 0 || _disposed)
            {
                // Idle: the next lease taken starts the timer again.
                _running = false;
                return;
            }

            due = ArrayPool<RedisLiveMirror>.Shared.Rent(_held.Count);
            foreach (var mirror in _held)
            {
                if (now - mirror.LeaseRenewedAt >= mirror.RenewEveryMs)
                {
                    due[count++] = mirror;
                }
            }
        }

        try
        {
            if (count > 0)
            {
                await RenewAsync(due, count, now);
            }
        }
        catch (Exception ex)
        {
            // Redis or the connection went away; the next tick tries again (a lease outlives two missed renewals' gap).
            _redis.ReportFailure(ex);
        }
        finally
        {
            Array.Clear(due, 0, count);
            ArrayPool<RedisLiveMirror>.Shared.Return(due);
            Arm();
        }
    }

    private async Task RenewAsync(RedisLiveMirror[] due, int count, long now)
    {
        var database = _redis.Multiplexer.GetDatabase();
        // Sent back to back before the first is awaited: one round trip for the whole batch.
        var renewals = new Task<RedisResult>[count];
        for (var i = 0; i < count; i++)
        {
            renewals[i] = RedisLeaderLease.RenewAsync(database, due[i].Fingerprint, due[i].ResponseId, due[i].LeaseMs);
        }

        for (var i = 0; i < count; i++)
        {
            try
            {
                var watchers = (long)await renewals[i];
                due[i].LeaseRenewedAt = now;
                // Clients on other instances count as readers, so the resume grace does not cut their stream.
                due[i].SetRemoteReaders(watchers > 0);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // One missed renewal is a blip (the lease outlives it): giving up here would let the lease expire while
                // this leader still produces, and its remote followers would drop a live answer. The next tick retries.
            }
        }
    }
}
