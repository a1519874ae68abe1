using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The leader's side of cross-instance dedupe: holds the fingerprint's lease (renewed by <see cref="RedisLeaseRenewer"/>,
/// which also has clients on other instances keep the upstream call alive) and, once a client on another instance asks
/// for the answer (<see cref="RedisMirrorRequests"/>), copies its <see cref="LiveResponse"/> into the Redis Stream as it
/// grows, announces each addition, and ends the log and the lease together. Most answers are read by nobody elsewhere:
/// they cost Redis the lease and its release, not a log. An answer asked for after it ended is written whole at once.
/// </summary>
internal sealed class RedisLiveMirror : IAnswerSink
{
    // Most entries carry the few events that arrived during one round trip; the cap bounds an entry when many wait.
    private const int MaxEventsPerEntry = 256;

    // The remote readers counted as one subscriber of the answer: none, counted, or no longer (the mirror ended).
    private const int NoRemoteReader = 0, RemoteReaderCounted = 1, RemoteReadersClosed = 2;

    // Nobody elsewhere asked yet; asked while it runs (the log follows it); ended unasked (the lease let go); written late.
    private const int Dormant = 0, Mirroring = 1, EndedUnasked = 2, WrittenLate = 3;

    private readonly RedisConnection _redis;
    private readonly RedisLeaseRenewer _renewer;
    private readonly RedisMirrorRequests _requests;
    private readonly LiveResponse _live;
    private readonly TimeSpan _resumeWindow;
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _pending = new(4);
    private int _phase;
    private ReadOnlyMemory<byte> _endBody;
    private volatile bool _endRequested;
    private int _remoteReaders;

    private RedisLiveMirror(RedisConnection redis, RedisLeaseRenewer renewer, RedisMirrorRequests requests, LiveResponse live, TimeSpan lease, TimeSpan resumeWindow)
    {
        _redis = redis;
        _renewer = renewer;
        _requests = requests;
        _live = live;
        LeaseMs = (long)lease.TotalMilliseconds;
        _resumeWindow = resumeWindow;
    }

    /// <summary>The fingerprint whose lease this mirror holds.</summary>
    public string Fingerprint => _live.Fingerprint;

    /// <summary>The lease's value: the response id of the answer.</summary>
    public string ResponseId => _live.ResponseId;

    /// <summary>How long the lease lives without renewal, in milliseconds.</summary>
    public long LeaseMs { get; }

    /// <summary>How often the lease is renewed, in milliseconds: a quarter of it.</summary>
    public long RenewEveryMs => LeaseMs / 4;

    /// <summary>When the lease was last set (<see cref="Environment.TickCount64"/>); written by the renewer.</summary>
    internal long LeaseRenewedAt { get; set; }

    /// <summary>This mirror's index among the renewer's leases, guarded by the renewer.</summary>
    internal int LeaseSlot { get; set; } = -1;

    /// <summary>
    /// A mirror of <paramref name="live"/>, heard by <paramref name="requests"/> from now on: made before its lease is
    /// tried, so that a reader who sees the lease finds the mirror. Then <see cref="Start"/> (the lease was taken) or
    /// <see cref="Abandon"/>.
    /// </summary>
    public static RedisLiveMirror Create(RedisConnection redis, RedisLeaseRenewer renewer, RedisMirrorRequests requests, LiveResponse live, TimeSpan lease, TimeSpan resumeWindow)
    {
        var mirror = new RedisLiveMirror(redis, renewer, requests, live, lease, resumeWindow);
        requests.Add(mirror);
        return mirror;
    }

    /// <summary>Holds the lease just taken (renewed by the renewer) until the answer ends, and mirrors it once asked.</summary>
    public void Start()
    {
        _renewer.Add(this);
        _ = RunAsync();
    }

    /// <summary>The lease was not taken: nothing to mirror.</summary>
    public void Abandon() => _requests.Remove(this);

    /// <summary>
    /// Writes every event so far and the end entry (with <paramref name="body"/> for a non-stream answer), then gives the
    /// lease up; completes once done (or once Redis failed), before the answer is marked complete locally.
    /// </summary>
    public Task OnCompleteAsync(LiveResponse answer, ReadOnlyMemory<byte> body)
    {
        if (Interlocked.CompareExchange(ref _phase, EndedUnasked, Dormant) == Dormant)
        {
            // Nobody elsewhere asked (the usual case): the lease is let go here, on the caller's thread, right after the
            // cache entry's write, so both leave in one write and come back in one round trip, without a thread hop to
            // the mirror's loop, which then only tidies up.
            var letGo = LetGoAsync(_redis.Multiplexer.GetDatabase());
            _wake.TrySetResult();
            return letGo;
        }

        _endBody = body;
        _endRequested = true;
        // The mirror may be waiting for the next change: the end request is not one of the log, so wake it.
        _wake.TrySetResult();
        _live.WakeReaders();
        return _ended.Task;
    }

    /// <summary>
    /// A client on another instance asks for this answer: the log starts (from its first event) if it has not, or, for an
    /// answer that ended unasked, is written whole now. Called again, it does nothing.
    /// </summary>
    public void Activate()
    {
        if (Interlocked.CompareExchange(ref _phase, Mirroring, Dormant) == Dormant)
        {
            _wake.TrySetResult();
        }
        else if (Interlocked.CompareExchange(ref _phase, WrittenLate, EndedUnasked) == EndedUnasked)
        {
            _ = WriteLateAsync();
        }
    }

    private async Task RunAsync()
    {
        var database = _redis.Multiplexer.GetDatabase();
        var log = RedisLiveKeys.Log(_live.Fingerprint, _live.ResponseId);
        var channel = RedisLiveKeys.Channel(_live.Fingerprint);
        var released = false;
        try
        {
            await Task.WhenAny(_wake.Task, _live.Ended);
            var phase = Interlocked.CompareExchange(ref _phase, EndedUnasked, Dormant);
            if (phase != Mirroring)
            {
                // Ended before anybody elsewhere asked: let go by OnCompleteAsync already, or here for an answer that
                // failed or was cancelled.
                released = true;
                if (phase == Dormant)
                {
                    await LetGoAsync(database);
                }

                return;
            }

            var started = false;
            var next = 0;
            while (true)
            {
                var changed = _live.Changed;
                var ending = _endRequested;
                var finished = _live.IsFinished;
                var count = _live.EventCount;
                if (_live.TerminalEventIndex >= next && !ending && !finished)
                {
                    // The terminal event is in: the pump asks for the end next, so the last events go with the end entry
                    // in one round trip instead of a batch of their own before it.
                    await changed;
                    continue;
                }

                // A body answer shows nothing to anyone before its end, so its start goes with the end: one round trip.
                if (!started && _live.State != LiveState.Waiting && _live.StatusCode != 0 && (_live.IsEventStream || ending || finished))
                {
                    _pending.Add(database.StreamAddAsync(log, RedisLiveEntries.Start(_live)));
                    started = true;
                }

                if (started)
                {
                    next = AddEvents(database, log, next, count, _pending);
                }

                if (ending || finished)
                {
                    // Sent in this order on one connection, so Redis runs them in it: a follower that finds the lease gone
                    // finds the end in the log (else it would report the leader lost), and the log outlives the answer.
                    _pending.Add(database.StreamAddAsync(log, ending ? RedisLiveEntries.End(_live.IsEventStream, _endBody)
                        : _live.State == LiveState.Completed ? RedisLiveEntries.End(_live.IsEventStream, _live.Body) : RedisLiveEntries.Failure(_live)));
                    _pending.Add(RedisLeaderLease.EndAsync(database, log, _live.Fingerprint, _live.ResponseId,
                        _resumeWindow > TimeSpan.Zero ? _resumeWindow : TimeSpan.FromSeconds(1)));
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
            _requests.Remove(this);
            _renewer.Remove(this);
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

    // An answer that ended unasked has no log, only the lease to give up. A lease renewed less than half of it ago is still
    // ours, so a plain DEL does; an older one may have expired and been taken by another leader, so only the holder's own
    // value is deleted then (a script). A reader elsewhere counts itself among the watchers before it asks: one that did so
    // before the end, whose request has not arrived (or missed the answer's lookup), gets the whole log now; its feed
    // waits for it once the lease is gone. Never throws: Redis failing is reported, and the lease then expires.
    private async Task LetGoAsync(IDatabase database)
    {
        try
        {
            var watchers = database.StringGetAsync(RedisLiveKeys.Watchers(_live.Fingerprint));
            await (Environment.TickCount64 - LeaseRenewedAt < LeaseMs / 2
                ? database.KeyDeleteAsync(RedisLiveKeys.Lease(_live.Fingerprint))
                : RedisLeaderLease.ReleaseAsync(database, _live.Fingerprint, _live.ResponseId));
            if ((long)await watchers > 0)
            {
                Activate();
            }
        }
        catch (Exception ex)
        {
            _redis.ReportFailure(ex);
        }
    }

    // Adds the entries of events next to count - 1 (at most MaxEventsPerEntry each) to writes; returns count.
    private int AddEvents(IDatabase database, RedisKey log, int next, int count, List<Task> writes)
    {
        for (; next < count; next += Math.Min(count - next, MaxEventsPerEntry))
        {
            writes.Add(database.StreamAddAsync(log, RedisLiveEntries.Events(_live, next, Math.Min(count - next, MaxEventsPerEntry))));
        }

        return next;
    }

    // The whole log of an answer that ended before a client elsewhere asked for it, kept for the resume window.
    private async Task WriteLateAsync()
    {
        try
        {
            await _live.Ended;
            var database = _redis.Multiplexer.GetDatabase();
            var log = RedisLiveKeys.Log(_live.Fingerprint, _live.ResponseId);
            var writes = new List<Task>(4);
            if (_live.StatusCode != 0)
            {
                writes.Add(database.StreamAddAsync(log, RedisLiveEntries.Start(_live)));
            }

            if (writes.Count > 0)
            {
                AddEvents(database, log, 0, _live.EventCount, writes);
            }

            writes.Add(database.StreamAddAsync(log, _live.State == LiveState.Completed && writes.Count > 0
                ? RedisLiveEntries.End(_live.IsEventStream, _live.Body) : RedisLiveEntries.Failure(_live)));
            writes.Add(database.KeyExpireAsync(log, _resumeWindow > TimeSpan.Zero ? _resumeWindow : TimeSpan.FromSeconds(1)));
            await Task.WhenAll(writes);
            await database.PublishAsync(RedisLiveKeys.Channel(_live.Fingerprint), 1);
        }
        catch (Exception ex)
        {
            // The reader elsewhere finds no log and leads its own call.
            _redis.ReportFailure(ex);
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

    /// <summary>
    /// Counts the clients on other instances as one reader of the answer while there are any, so the resume grace does
    /// not cut their stream; called by the renewer after each renewal.
    /// </summary>
    internal void SetRemoteReaders(bool any)
    {
        if (any)
        {
            if (Volatile.Read(ref _remoteReaders) != NoRemoteReader)
            {
                return;
            }

            // Counted before the state says so: a mirror closing in between then takes back this count, not a missing one.
            _live.AddSubscriber();
            if (Interlocked.CompareExchange(ref _remoteReaders, RemoteReaderCounted, NoRemoteReader) != NoRemoteReader)
            {
                _live.RemoveSubscriber(TimeSpan.Zero);
            }
        }
        else if (Interlocked.CompareExchange(ref _remoteReaders, NoRemoteReader, RemoteReaderCounted) == RemoteReaderCounted)
        {
            _live.RemoveSubscriber(TimeSpan.Zero);
        }
    }

    /// <summary>Stops counting remote readers (the mirror ended).</summary>
    internal void CloseRemoteReaders()
    {
        if (Interlocked.Exchange(ref _remoteReaders, RemoteReadersClosed) == RemoteReaderCounted)
        {
            _live.RemoveSubscriber(TimeSpan.Zero);
        }
    }
}
