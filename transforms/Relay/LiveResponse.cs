using System.Buffers;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// The live log of one upstream answer: status, headers, then each SSE event (or the JSON body) as it arrives.
/// Every client of the answer — the leader's own, followers, resumers — writes from this log, and the cache entry is
/// made from it once complete: one mechanism for dedupe, live join, resume and cache fill.
/// One writer (the upstream pump), any number of readers.
/// </summary>
public sealed class LiveResponse
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _upstream = new();
    private volatile LiveState _state;
    private int _version;
    private TaskCompletionSource? _waiter;
    private LiveWaiter? _waiters;
    private LiveHeaders? _headers;

    // The events back to back, and where each ends. Bytes once published never change, and a full array is replaced
    // by a larger copy, so a reader's view of earlier events stays valid (and the cache entry can share the array).
    private byte[] _eventBytes = [];
    private int[] _eventEnds = [];
    private int _count;
    private int _subscribers;
    private int _readers;
    private bool _leaderReads;
    private int _graceGeneration;
    private int _keepAlives;
    private long _lastActivity = Environment.TickCount64;
    private TaskCompletionSource? _ended;

    /// <summary>Starts an empty log; <paramref name="sinks"/> are the leading call's work for the answer's life (none for a copy of another instance's answer).</summary>
    public LiveResponse(AiEndpoint endpoint, string fingerprint, string responseId, bool isStream, AnswerSinks? sinks = null)
    {
        Endpoint = endpoint;
        Fingerprint = fingerprint;
        ResponseId = responseId;
        IsStream = isStream;
        Sinks = sinks;
    }

    /// <summary>The endpoint called.</summary>
    public AiEndpoint Endpoint { get; }

    /// <summary>The call that leads the answer on this instance, as the in-flight view lists it; null on a copy of another instance's answer.</summary>
    public LiveCall? Call { get; init; }

    /// <summary>The request fingerprint this answer belongs to (scopes it to the org that asked).</summary>
    public string Fingerprint { get; }

    /// <summary>A random id naming this answer in SSE event ids.</summary>
    public string ResponseId { get; }

    /// <summary>Whether the request asked for a stream.</summary>
    public bool IsStream { get; }

    /// <summary>The current state.</summary>
    public LiveState State
    {
        get => _state;
        private set => _state = value;
    }

    /// <summary>The upstream status, once started (or the gateway's error status after a failure before start).</summary>
    public int StatusCode { get; private set; }

    /// <summary>The upstream headers every client gets, once started.</summary>
    public KeyValuePair<string, string>[] Headers => _headers?.Relayed ?? [];

    /// <summary>The upstream headers as they came, once started (the cache keeps a few of them).</summary>
    internal LiveHeaders? UpstreamHeaders => _headers;

    /// <summary>Whether the answer is an SSE event stream (rather than one body).</summary>
    public bool IsEventStream { get; private set; }

    /// <summary>The whole body of a non-stream answer, once completed; or the error body of a failure before start.</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>The error event that ends a stream which failed after it started.</summary>
    public ReadOnlyMemory<byte> FailureEvent { get; private set; }

    /// <summary>The index of the chat usage chunk among the events, or -1.</summary>
    public int UsageEventIndex { get; private set; } = -1;

    /// <summary>The upstream's token count for this answer, once known (set by the metering sink).</summary>
    public TokenUsage? Usage { get; set; }

    /// <summary>What this answer cost, once its usage is known and the model priced (set by the metering sink).</summary>
    public decimal? CostUsd { get; set; }

    /// <summary>Whether the answer was stored in the cache, which then serves its resumes too (set by the cache's sink).</summary>
    public bool Cached { get; set; }

    /// <summary>The leading call's work for this answer's life, run by the upstream transform and the pumps; null on a copy of another instance's answer.</summary>
    public AnswerSinks? Sinks { get; }

    /// <summary>The index of the terminal event, or -1.</summary>
    public int TerminalEventIndex { get; private set; } = -1;

    /// <summary>Bytes of events (or body) held.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Whether the failure came from this gateway's own client leaving, not from the upstream.</summary>
    public bool FailedByCancellation { get; private set; }

    /// <summary>Clients reading the answer now (those on other instances counted as one while there are any).</summary>
    internal int SubscriberCount => Volatile.Read(ref _subscribers);

    /// <summary>Clients reading the answer now besides the leader's own (followers, resumers, those on other instances).</summary>
    internal int JoinerCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers - (_leaderReads ? 1 : 0);
            }
        }
    }

    /// <summary>Clients of this instance reading the answer now (<see cref="LiveReader"/>s subscribed).</summary>
    public int ReaderCount => Volatile.Read(ref _readers);

    /// <summary>How many keepalives the answer has asked its readers to write so far (see <see cref="KeepAlive"/>).</summary>
    public int KeepAlives => Volatile.Read(ref _keepAlives);

    /// <summary>Its place in the keepalive queue while it runs (<see cref="StreamKeepAlive"/>).</summary>
    internal StreamKeepAlive.Slot? KeepAliveSlot { get; set; }

    /// <summary>When the upstream last gave the answer something, or a keepalive was last asked for (<see cref="Environment.TickCount64"/>).</summary>
    internal long LastActivity => Volatile.Read(ref _lastActivity);

    /// <summary>Whether an operator cancelled the call (<c>DELETE /api/inflight/{id}</c>), rather than the upstream failing or its readers leaving.</summary>
    public bool CancelledByOperator { get; private set; }

    /// <summary>Completes once the answer has ended (completed or failed).</summary>
    public Task Ended
    {
        get
        {
            lock (_gate)
            {
                return IsFinished ? Task.CompletedTask : (_ended ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            }
        }
    }

    /// <summary>Events appended so far.</summary>
    public int EventCount => Volatile.Read(ref _count);

    /// <summary>Cancelled when no client is left after the grace period: the upstream call then stops.</summary>
    public CancellationToken UpstreamAborted => _upstream.Token;

    /// <summary>A number that changes with every change of the log: read it before checking the state, then wait with <see cref="ChangedSince"/>.</summary>
    public int Version => Volatile.Read(ref _version);

    /// <summary>
    /// Completes when the log changes next, and is already complete once it has ended; read before checking the
    /// state to never miss a change.
    /// </summary>
    public Task Changed => ChangedSince(Version);

    /// <summary>Whether the log has ended, completed or failed.</summary>
    public bool IsFinished => _state is LiveState.Completed or LiveState.Failed;

    /// <summary>
    /// Completes once the log has changed after <paramref name="version"/> or has ended (at once if either is so), or
    /// when <see cref="WakeReaders"/> is called: a reader checks the log again after every wake.
    /// </summary>
    public Task ChangedSince(int version)
    {
        if (Volatile.Read(ref _version) != version)
        {
            return Task.CompletedTask;
        }

        lock (_gate)
        {
            // The end is the last change: a reader that checked the state just before it and asks for the next change
            // just after would otherwise wait for a signal that never comes. One waiter for every reader, made only
            // when one has to wait: most changes find nobody waiting.
            return _version != version || IsFinished ? Task.CompletedTask
                : (_waiter ??= new TaskCompletionSource()).Task;
        }
    }

    /// <summary>
    /// As <see cref="ChangedSince(int)"/>, for a writer that waits again and again: it waits on its own
    /// <paramref name="waiter"/>, reused for every wait, instead of a new task each time. The wait must be awaited.
    /// </summary>
    internal ValueTask ChangedSince(int version, LiveWaiter waiter)
    {
        if (Volatile.Read(ref _version) != version)
        {
            return default;
        }

        lock (_gate)
        {
            if (_version != version || IsFinished)
            {
                return default;
            }

            waiter.Next = _waiters;
            _waiters = waiter;
            return waiter.Wait;
        }
    }

    /// <summary>Event <paramref name="index"/> (below <see cref="EventCount"/>, read first).</summary>
    public ReadOnlyMemory<byte> Event(int index)
    {
        // Read after the count that covers the event: any array published since holds its bytes too.
        var ends = Volatile.Read(ref _eventEnds);
        var bytes = Volatile.Read(ref _eventBytes);
        var start = index == 0 ? 0 : ends[index - 1];
        return bytes.AsMemory(start, ends[index] - start);
    }

    /// <summary>The first <paramref name="count"/> events back to back (a view, not a copy; <see cref="EventCount"/> read first).</summary>
    public ReadOnlyMemory<byte> Events(int count) =>
        count == 0 ? default : Volatile.Read(ref _eventBytes).AsMemory(0, Volatile.Read(ref _eventEnds)[count - 1]);

    /// <summary>Where each of the first <paramref name="count"/> events ends in <see cref="Events"/>.</summary>
    public ReadOnlySpan<int> EventEnds(int count) => Volatile.Read(ref _eventEnds).AsSpan(0, count);

    /// <summary>Records the upstream status and headers (already reduced to what followers get).</summary>
    public void Start(int statusCode, KeyValuePair<string, string>[] headers, bool isEventStream) =>
        Start(statusCode, LiveHeaders.FromRelayed(headers), isEventStream);

    /// <summary>Records the upstream status and headers.</summary>
    internal void Start(int statusCode, LiveHeaders headers, bool isEventStream)
    {
        LiveWakeups woken;
        lock (_gate)
        {
            if (IsFinished)
            {
                // Cancelled while the upstream was answering: the answer stays ended.
                return;
            }

            StatusCode = statusCode;
            _headers = headers;
            IsEventStream = isEventStream;
            State = LiveState.Started;
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            woken = Signal();
        }

        woken.Run();
    }

    /// <summary>Appends one complete SSE event (copied).</summary>
    public void Append(ReadOnlySequence<byte> sseEvent, bool isUsageChunk, bool isTerminal = false)
    {
        LiveWakeups woken;
        lock (_gate)
        {
            if (IsFinished)
            {
                // An event the pump had in hand when the call was cancelled: no reader may see it after the end.
                return;
            }

            var start = _count == 0 ? 0 : _eventEnds[_count - 1];
            var end = checked(start + (int)sseEvent.Length);
            if (end > _eventBytes.Length)
            {
                // The first array is sized from the streams that completed before (most answers then fit in it); a
                // larger answer doubles from there.
                var grown = _eventBytes.Length == 0 ? LogCapacity.Shared.First : 2L * _eventBytes.Length;
                var larger = new byte[Math.Max(end, (int)Math.Min(Array.MaxLength, grown))];
                _eventBytes.AsSpan(0, start).CopyTo(larger);
                Volatile.Write(ref _eventBytes, larger);
            }

            if (_count == _eventEnds.Length)
            {
                var larger = new int[Math.Max(32, _eventEnds.Length * 2)];
                _eventEnds.AsSpan(0, _count).CopyTo(larger);
                Volatile.Write(ref _eventEnds, larger);
            }

            sseEvent.CopyTo(_eventBytes.AsSpan(start));
            _eventEnds[_count] = end;
            if (isUsageChunk)
            {
                UsageEventIndex = _count;
            }

            if (isTerminal)
            {
                TerminalEventIndex = _count;
            }

            TotalBytes = end;
            Volatile.Write(ref _count, _count + 1);
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            woken = Signal();
        }

        woken.Run();
    }

    /// <summary>Marks the stream complete (its terminal event is the last appended).</summary>
    public void CompleteStream()
    {
        LiveWakeups woken;
        TaskCompletionSource? ended;
        lock (_gate)
        {
            if (IsFinished)
            {
                return;
            }

            State = LiveState.Completed;
            woken = Signal();
            ended = TakeEnded();
        }

        LogCapacity.Shared.Learn(TotalBytes);
        woken.Run();
        ended?.TrySetResult();
    }

    /// <summary>Completes a non-stream answer with its whole body.</summary>
    public void CompleteBody(ReadOnlyMemory<byte> body)
    {
        LiveWakeups woken;
        TaskCompletionSource? ended;
        lock (_gate)
        {
            if (IsFinished)
            {
                return;
            }

            Body = body;
            TotalBytes = body.Length;
            State = LiveState.Completed;
            woken = Signal();
            ended = TakeEnded();
        }

        woken.Run();
        ended?.TrySetResult();
    }

    /// <summary>
    /// Ends the log as failed: before start, clients get <paramref name="statusCode"/> with <paramref name="errorBody"/>;
    /// after start, stream clients get <paramref name="failureEvent"/> after the events so far.
    /// </summary>
    public void Fail(int statusCode, ReadOnlyMemory<byte> errorBody, ReadOnlyMemory<byte> failureEvent, bool byCancellation) =>
        Fail(statusCode, errorBody, failureEvent, byCancellation, cancelledByOperator: false);

    /// <summary>As <see cref="Fail(int, ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, bool)"/>; <paramref name="cancelledByOperator"/> for a copy of an answer an operator cancelled.</summary>
    internal bool Fail(int statusCode, ReadOnlyMemory<byte> errorBody, ReadOnlyMemory<byte> failureEvent, bool byCancellation, bool cancelledByOperator)
    {
        LiveWakeups woken;
        TaskCompletionSource? ended;
        lock (_gate)
        {
            if (IsFinished)
            {
                return false;
            }

            // Nothing of a body has been sent yet, so its clients can still get an error status instead.
            if (State == LiveState.Waiting || !IsEventStream)
            {
                StatusCode = statusCode;
                Body = errorBody;
            }

            FailureEvent = failureEvent;
            FailedByCancellation = byCancellation;
            CancelledByOperator = cancelledByOperator;
            State = LiveState.Failed;
            woken = Signal();
            ended = TakeEnded();
        }

        woken.Run();
        ended?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Cancels the call for every reader (an operator's <c>DELETE /api/inflight/{id}</c>): each gets an OpenAI-shaped
    /// error with code <c>cancelled</c> (an error event once its stream started, else a 503), the answer ends as failed so
    /// that nothing of it is cached, and the upstream call stops. False when the answer had already ended.
    /// </summary>
    public async Task<bool> CancelAsync(string message)
    {
        const string code = "cancelled";
        // Readers waiting for the start must not lead a fresh call (a cancelled call is not a lost leader): a real status.
        if (!Fail(StatusCodes.Status503ServiceUnavailable, OpenAiError.Serialize("server_error", code, message), Endpoint.FailureEvent(message, code),
                byCancellation: false, cancelledByOperator: true))
        {
            return false;
        }

        await _upstream.CancelAsync();
        return true;
    }

    /// <summary>
    /// Asks every reader to write a keepalive comment (the upstream has been silent too long); false once the answer has
    /// ended. Called by <see cref="StreamKeepAlive"/>, never for a non-stream answer.
    /// </summary>
    internal bool KeepAlive()
    {
        LiveWakeups woken;
        lock (_gate)
        {
            if (IsFinished)
            {
                return false;
            }

            Volatile.Write(ref _keepAlives, _keepAlives + 1);
            Volatile.Write(ref _lastActivity, Environment.TickCount64);
            woken = Signal();
        }

        woken.Run();
        return true;
    }

    /// <summary><paramref name="reader"/> starts reading this answer (once: a second call is ignored).</summary>
    public void Subscribe(LiveReader reader)
    {
        lock (_gate)
        {
            reader.Answer = this;
            if (reader.Subscribed)
            {
                return;
            }

            reader.Subscribed = true;
            _leaderReads |= reader.RequestId == Call?.RequestId;
            _readers++;
            _subscribers++;
            _graceGeneration++;
        }
    }

    /// <summary><paramref name="reader"/> stopped reading; with no reader left, the upstream call is cancelled after <paramref name="grace"/>.</summary>
    public void Unsubscribe(LiveReader reader, TimeSpan grace)
    {
        int generation;
        lock (_gate)
        {
            if (!reader.Subscribed)
            {
                return;
            }

            reader.Subscribed = false;
            _leaderReads &= reader.RequestId != Call?.RequestId;
            _readers--;
            if (--_subscribers > 0 || IsFinished)
            {
                return;
            }

            generation = ++_graceGeneration;
        }

        // Read after the count: a release that came just before finds no reader left and cancels itself, one that comes
        // after is seen here.
        _ = CancelAfterGraceAsync(generation, reader.Released ? TimeSpan.Zero : grace);
    }

    /// <summary>Cancels the upstream call now if no client reads the answer (a reader was released after its client had left).</summary>
    public void CancelIfUnread()
    {
        int generation;
        lock (_gate)
        {
            if (_subscribers > 0 || IsFinished)
            {
                return;
            }

            generation = ++_graceGeneration;
        }

        _ = CancelAfterGraceAsync(generation, TimeSpan.Zero);
    }

    /// <summary>A client starts reading this answer.</summary>
    public void AddSubscriber()
    {
        lock (_gate)
        {
            _subscribers++;
            _graceGeneration++;
        }
    }

    /// <summary>A client stopped reading; with none left, the upstream call is cancelled after <paramref name="grace"/>.</summary>
    public void RemoveSubscriber(TimeSpan grace)
    {
        int generation;
        lock (_gate)
        {
            if (--_subscribers > 0 || IsFinished)
            {
                return;
            }

            generation = ++_graceGeneration;
        }

        _ = CancelAfterGraceAsync(generation, grace);
    }

    private async Task CancelAfterGraceAsync(int generation, TimeSpan grace)
    {
        if (grace > TimeSpan.Zero)
        {
            await Task.Delay(grace);
        }

        lock (_gate)
        {
            if (_subscribers > 0 || generation != _graceGeneration || IsFinished)
            {
                return;
            }
        }

        await _upstream.CancelAsync();
    }

    /// <summary>
    /// Completes the waits of every reader without changing the log: a reader whose own wait must end (its client left,
    /// its wait limit passed) is woken this way, and the others find nothing new and wait again.
    /// </summary>
    internal void WakeReaders()
    {
        LiveWakeups woken;
        lock (_gate)
        {
            woken = TakeWaiters();
        }

        woken.Run();
    }

    // Returns the waits to complete once the lock is released: their readers run on the caller's thread until they
    // next wait (the pump writes its own client's event without a thread-pool hop), so never while holding the lock.
    private LiveWakeups Signal()
    {
        Volatile.Write(ref _version, _version + 1);
        return TakeWaiters();
    }

    private TaskCompletionSource? TakeEnded()
    {
        var ended = _ended;
        _ended = null;
        return ended;
    }

    private LiveWakeups TakeWaiters()
    {
        var woken = new LiveWakeups(_waiter, _waiters);
        _waiter = null;
        _waiters = null;
        return woken;
    }
}
