using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The leader's side of cross-instance dedupe: copies its <see cref="LiveResponse"/> into the Redis Stream as it grows,
/// announces each addition, renews the lease, and keeps the upstream call alive while clients on other instances read.
/// </summary>
internal sealed class RedisLiveMirror
{
    // Most entries carry the few events that arrived during one round trip; the cap bounds an entry when many wait.
    private const int MaxEventsPerEntry = 256;

    private readonly RedisConnection _redis;
    private readonly LiveResponse _live;
    private readonly TimeSpan _lease;
    private readonly TimeSpan _resumeWindow;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _pending = new(4);
    private ReadOnlyMemory<byte> _endBody;
    private volatile bool _endRequested;

    private RedisLiveMirror(RedisConnection redis, LiveResponse live, TimeSpan lease, TimeSpan resumeWindow)
    {
        _redis = redis;
        _live = live;
        _lease = lease;
        _resumeWindow = resumeWindow;
    }

    /// <summary>Starts mirroring <paramref name="live"/> until it ends; the lease is given up with the end entry.</summary>
    public static RedisLiveMirror Start(RedisConnection redis, LiveResponse live, TimeSpan lease, TimeSpan resumeWindow)
    {
        var mirror = new RedisLiveMirror(redis, live, lease, resumeWindow);
        _ = mirror.RunAsync();
        return mirror;
    }

    /// <summary>
    /// Writes every event so far and the end entry (with <paramref name="body"/> for a non-stream answer), then gives the
    /// lease up; completes once done (or once Redis failed), before the answer is marked complete locally.
    /// </summary>
    public Task EndAsync(ReadOnlyMemory<byte> body)
    {
        _endBody = body;
        _endRequested = true;
        // The mirror may be waiting for the next change: the end request is not one of the log, so wake it.
        _live.WakeReaders();
        return _ended.Task;
    }

    private async Task RunAsync()
    {
        var database = _redis.Multiplexer.GetDatabase();
        var log = RedisLiveKeys.Log(_live.Fingerprint, _live.ResponseId);
        var channel = RedisLiveKeys.Channel(_live.Fingerprint);
        using var stop = new CancellationTokenSource();
        var renewal = RenewAsync(database, stop.Token);
        var released = false;
        try
        {
            var started = false;
            var next = 0;
            while (true)
            {
                var changed = _live.Changed;
                var ending = _endRequested;
                var finished = _live.IsFinished;
                var count = _live.EventCount;
                // A body answer shows nothing to anyone before its end, so its start goes with the end: one round trip.
                if (!started && _live.State != LiveState.Waiting && _live.StatusCode != 0 && (_live.IsEventStream || ending || finished))
                {
                    _pending.Add(database.StreamAddAsync(log, RedisLiveEntries.Start(_live)));
                    started = true;
                }

                for (; started && next < count; next += Math.Min(count - next, MaxEventsPerEntry))
                {
                    _pending.Add(database.StreamAddAsync(log, RedisLiveEntries.Events(_live, next, Math.Min(count - next, MaxEventsPerEntry))));
                }

                if (ending || finished)
                {
                    // Sent in this order on one connection, so Redis runs them in it: a follower that finds the lease gone
                    // finds the end in the log (else it would report the leader lost), and the log outlives the answer.
                    _pending.Add(database.StreamAddAsync(log, ending ? RedisLiveEntries.End(_live.IsEventStream, _endBody)
                        : _live.State == LiveState.Completed ? RedisLiveEntries.End(_live.IsEventStream, _live.Body) : RedisLiveEntries.Failure(_live)));
                    _pending.Add(database.KeyExpireAsync(log, _resumeWindow > TimeSpan.Zero ? _resumeWindow : TimeSpan.FromSeconds(1)));
                    _pending.Add(RedisLeaderLease.ReleaseAsync(database, _live.Fingerprint, _live.ResponseId));
                    released = true;
                    _ = database.PublishAsync(channel, 1, CommandFlags.FireAndForget);
                    await AwaitPendingAsync();
                    return;
                }

                if (_pending.Count > 0)
                {
                    _ = database.PublishAsync(channel, 1, CommandFlags.FireAndForget);
                    // Each batch is awaited: a write lost while Redis blinks would leave followers with a gap, not an error.
                    await AwaitPendingAsync();
                }

                await changed;
            }
        }
        catch (Exception ex)
        {
            // Redis went away: followers on other instances notice the lease expiring; local clients are unaffected.
            _redis.ReportFailure(ex);
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            if (!released)
            {
                try
                {
                    await RedisLeaderLease.ReleaseAsync(database, _live.Fingerprint, _live.ResponseId);
                }
                catch (Exception ex)
                {
                    _redis.ReportFailure(ex);
                }
            }

            _ended.TrySetResult();
        }
    }

    private async Task AwaitPendingAsync()
    {
        // Every write is awaited, so none fails unobserved; the first failure is the one reported.
        Exception? failure = null;
        foreach (var write in _pending)
        {
            try
            {
                await write;
            }
            catch (Exception ex)
            {
                failure ??= ex;
            }
        }

        _pending.Clear();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private async Task RenewAsync(IDatabase database, CancellationToken stop)
    {
        var remoteReader = false;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_lease / 3, stop);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            try
            {
                await RedisLeaderLease.RenewAsync(database, _live.Fingerprint, _live.ResponseId, _lease);
                // Clients on other instances count as readers, so the resume grace does not cut their stream.
                var watchers = (long?)await database.StringGetAsync(RedisLiveKeys.Watchers(_live.Fingerprint)) ?? 0;
                if (watchers > 0 != remoteReader)
                {
                    remoteReader = watchers > 0;
                    if (remoteReader)
                    {
                        _live.AddSubscriber();
                    }
                    else
                    {
                        _live.RemoveSubscriber(TimeSpan.Zero);
                    }
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // One missed renewal is a blip (the lease outlives two): giving up here would let the lease expire
                // while this leader still produces, and its remote followers would drop a live answer.
            }
        }

        if (remoteReader)
        {
            _live.RemoveSubscriber(TimeSpan.Zero);
        }
    }
}
