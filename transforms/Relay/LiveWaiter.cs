using System.Threading.Tasks.Sources;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// One writer's wait for the next change of a <see cref="LiveResponse"/>, reused for every wait of that writer
/// (<see cref="LiveResponse.ChangedSince(int, LiveWaiter)"/>): a stream's writer waits once per event, and a new
/// <see cref="TaskCompletionSource"/> each time (two objects) was a tenth of what an uncached stream allocated.
/// </summary>
/// <remarks>
/// Registered with one answer at a time and awaited once per registration; the answer takes it off its list before it
/// completes it, so it is completed at most once per registration. Its continuation runs on the completing thread,
/// as the shared waiter's does (the pump writes its own client's event without a thread-pool hop).
/// </remarks>
internal sealed class LiveWaiter : IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core;

    /// <summary>The next waiter on the answer's list; guarded by the answer's lock while it is registered.</summary>
    internal LiveWaiter? Next { get; set; }

    /// <summary>The wait for the current registration.</summary>
    internal ValueTask Wait => new(this, _core.Version);

    /// <summary>Completes this waiter and every one after it on a list taken off an answer (outside the answer's lock).</summary>
    internal static void CompleteAll(LiveWaiter? first)
    {
        for (var waiter = first; waiter is not null;)
        {
            // Read before completing: the woken writer may register again at once, which rewrites its link.
            var next = waiter.Next;
            waiter.Next = null;
            waiter._core.SetResult(true);
            waiter = next;
        }
    }

    /// <inheritdoc/>
    void IValueTaskSource.GetResult(short token)
    {
        _core.GetResult(token);
        // Awaited once per registration: ready for the next one.
        _core.Reset();
    }

    /// <inheritdoc/>
    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    /// <inheritdoc/>
    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
