namespace AiGateway.Transforms.Relay;

/// <summary>
/// One client of a <see cref="LiveResponse"/> (the leader's own, a follower, a resumer), named by its call's request id
/// (<c>x-aigw-request-id</c>) and scoped to the org and customer that made the call, so that the app can ask whether its
/// call still runs and release its reader (CONTRACT §10.6) with any reader's id, and nobody else can. It counts as one
/// reader of the answer from <see cref="LiveResponse.Subscribe"/> to <see cref="LiveResponse.Unsubscribe"/>.
/// </summary>
public sealed class LiveReader
{
    private int _released;
    private TaskCompletionSource? _releasedSignal;

    /// <summary>A reader for the call <paramref name="requestId"/> of <paramref name="orgId"/> (and <paramref name="customerId"/>).</summary>
    public LiveReader(Guid requestId, string orgId, string? customerId)
    {
        RequestId = requestId;
        OrgId = orgId;
        CustomerId = customerId;
    }

    /// <summary>The request id of the reader's call.</summary>
    public Guid RequestId { get; }

    /// <summary>The org that made the call.</summary>
    public string OrgId { get; }

    /// <summary>The customer the call was made for, or null.</summary>
    public string? CustomerId { get; }

    /// <summary>The answer it reads, once it subscribed.</summary>
    public LiveResponse? Answer { get; internal set; }

    /// <summary>Whether it counts as a reader of <see cref="Answer"/> now; guarded by the answer's lock.</summary>
    internal bool Subscribed { get; set; }

    /// <summary>Whether its app released it (<c>POST /api/inflight/{id}/release</c>).</summary>
    public bool Released => Volatile.Read(ref _released) == 1;

    /// <summary>Whether its client left before the answer's end (a drop, or a stop not released yet).</summary>
    public bool ClientLeft { get; internal set; }

    /// <summary>Whether this reader belongs to <paramref name="orgId"/> and <paramref name="customerId"/>.</summary>
    public bool BelongsTo(string orgId, string? customerId) =>
        string.Equals(OrgId, orgId, StringComparison.Ordinal) && string.Equals(CustomerId, customerId, StringComparison.Ordinal);

    /// <summary>Marks the reader released; false when it was already.</summary>
    internal bool TryRelease()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return false;
        }

        // A waiter that made its signal after this read finds the reader released when it checks again.
        Volatile.Read(ref _releasedSignal)?.TrySetResult();
        return true;
    }

    /// <summary>
    /// Waits, after its client left mid-answer, until the app releases the reader, the answer ends, or <paramref name="grace"/>
    /// passes, whichever is first: a stop is told from a drop by the release that follows it, and the call's log row says which.
    /// </summary>
    internal async Task WaitForReleaseAsync(LiveResponse answer, TimeSpan grace)
    {
        if (Released || answer.IsFinished || grace <= TimeSpan.Zero)
        {
            return;
        }

        var signal = Volatile.Read(ref _releasedSignal);
        if (signal is null)
        {
            var made = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            signal = Interlocked.CompareExchange(ref _releasedSignal, made, null) ?? made;
        }

        if (Released)
        {
            return;
        }

        // Rare (a client that left mid-answer): a timer of its own costs nothing next to the streams that end normally.
        using var timeout = new CancellationTokenSource(grace);
        using var onTimeout = timeout.Token.Register(static state => ((TaskCompletionSource)state!).TrySetResult(), signal);
        await Task.WhenAny(signal.Task, answer.Ended);
    }
}
