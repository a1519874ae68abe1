using System.Collections.Concurrent;
using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// The answers this instance is producing: in flight by fingerprint (for dedupe), and by response id until
/// <c>Gateway:Resume:WindowSeconds</c> after they end (for resume), within <c>Gateway:Resume:MaxBytes</c>; every answer
/// running here (led, or a copy of another instance's) by response id, and every client reading one by its request id,
/// for the in-flight view (CONTRACT §10.6); and the streams among them, for keepalives.
/// </summary>
internal sealed class LiveResponseRegistry : IDisposable
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<string, LiveResponse> _inflight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveResponse> _byResponseId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveResponse> _running = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, LiveReader> _readers = new();
    private readonly StreamKeepAlive _keepAlive;
    private readonly IOptionsMonitor<GatewayOptions> _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    // Ended streams kept for resume, oldest first: one timer sweeps its head instead of a timer per stream.
    private readonly Queue<EndedStream> _ended = new();
    private readonly ITimer _sweeper;
    private long _endedBytes;

    /// <summary>Creates the registry; its sweeper forgets ended streams once their resume window has passed.</summary>
    public LiveResponseRegistry(IOptionsMonitor<GatewayOptions> options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _keepAlive = new StreamKeepAlive(options, time);
        _sweeper = time.CreateTimer(static registry => ((LiveResponseRegistry)registry!).ForgetExpired(), this, SweepInterval, SweepInterval);
    }

    /// <summary>The answers in flight now.</summary>
    internal ICollection<LiveResponse> Inflight => _inflight.Values;

    /// <summary>The answers running here now: led by this instance (<see cref="LiveResponse.Call"/> set) or copies of another instance's.</summary>
    public ICollection<LiveResponse> Running => _running.Values;

    /// <summary>The streams waiting for keepalives.</summary>
    internal StreamKeepAlive KeepAlive => _keepAlive;

    /// <summary>Bytes of the ended streams kept for resume.</summary>
    internal long EndedBytes
    {
        get
        {
            lock (_gate)
            {
                return _endedBytes;
            }
        }
    }

    /// <summary>Registers <paramref name="candidate"/> as the leader for its fingerprint, or returns the one already in flight.</summary>
    public LiveResponse LeadOrJoin(LiveResponse candidate)
    {
        while (true)
        {
            var existing = _inflight.GetOrAdd(candidate.Fingerprint, candidate);
            // An answer that has ended is no longer in flight, even if its leader has not let go of the slot yet.
            if (existing == candidate || !existing.IsFinished || _inflight.TryUpdate(candidate.Fingerprint, candidate, existing))
            {
                return existing.IsFinished ? candidate : existing;
            }
        }
    }

    /// <summary>Puts <paramref name="replacement"/> in flight instead of <paramref name="current"/> (a local copy of a remote leader's answer).</summary>
    public bool Replace(LiveResponse current, LiveResponse replacement) => _inflight.TryUpdate(current.Fingerprint, replacement, current);

    /// <summary>
    /// Lists an answer as running here until <see cref="Release"/>, makes a streamed one resumable by its response id
    /// while it runs (and after, see <see cref="Release"/>), and keeps a stream's clients alive while its upstream is silent.
    /// </summary>
    public void Track(LiveResponse live)
    {
        _running[live.ResponseId] = live;
        if (live.IsStream)
        {
            _byResponseId[live.ResponseId] = live;
            _keepAlive.Watch(live);
        }
    }

    /// <summary>Names <paramref name="reader"/> by its request id until <see cref="RemoveReader"/>.</summary>
    public void AddReader(LiveReader reader) => _readers[reader.RequestId] = reader;

    /// <summary>Forgets <paramref name="reader"/> (its call has ended).</summary>
    public void RemoveReader(LiveReader reader) => _readers.TryRemove(new KeyValuePair<Guid, LiveReader>(reader.RequestId, reader));

    /// <summary>The reader of the call with request id <paramref name="requestId"/>, while that call runs here, or null.</summary>
    public LiveReader? FindReader(Guid requestId) => _readers.GetValueOrDefault(requestId);

    /// <summary>The answer running here with response id <paramref name="responseId"/>, or null.</summary>
    public LiveResponse? FindRunning(string responseId) => _running.GetValueOrDefault(responseId);

    /// <summary>The answer with this response id, in flight or recently ended, or null.</summary>
    public LiveResponse? Find(string responseId) => _byResponseId.GetValueOrDefault(responseId);

    /// <summary>Ends the leadership of <paramref name="live"/>, and forgets it after the resume window (or sooner, to stay within the byte bound).</summary>
    public void Release(LiveResponse live, TimeSpan resumeWindow)
    {
        StreamKeepAlive.Forget(live);
        _inflight.TryRemove(new KeyValuePair<string, LiveResponse>(live.Fingerprint, live));
        _running.TryRemove(new KeyValuePair<string, LiveResponse>(live.ResponseId, live));
        // Only a stream can be resumed, and a cached one is resumed from the cache: holding either for the whole
        // window would keep every recent answer in memory.
        if (!live.IsStream || live.Cached || resumeWindow <= TimeSpan.Zero)
        {
            Forget(live);
            return;
        }

        var maxBytes = _options.CurrentValue.Resume.MaxBytes;
        lock (_gate)
        {
            _ended.Enqueue(new EndedStream(live, live.TotalBytes, _time.GetTimestamp(), resumeWindow));
            _endedBytes += live.TotalBytes;
            while (_endedBytes > maxBytes && _ended.TryDequeue(out var oldest))
            {
                Forget(oldest);
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _sweeper.Dispose();
        _keepAlive.Dispose();
    }

    /// <summary>Forgets the ended streams whose resume window has passed; the sweeper calls it every second.</summary>
    internal void ForgetExpired()
    {
        lock (_gate)
        {
            // The queue is in release order; a window shortened by a reload applies once the older entries have left.
            while (_ended.TryPeek(out var oldest) && _time.GetElapsedTime(oldest.EndedAt) >= oldest.Window)
            {
                Forget(_ended.Dequeue());
            }
        }
    }

    private void Forget(EndedStream ended)
    {
        _endedBytes -= ended.Bytes;
        Forget(ended.Live);
    }

    private void Forget(LiveResponse live) => _byResponseId.TryRemove(new KeyValuePair<string, LiveResponse>(live.ResponseId, live));

    private readonly record struct EndedStream(LiveResponse Live, long Bytes, long EndedAt, TimeSpan Window);
}
