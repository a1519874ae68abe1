namespace AiGateway.Transforms.Relay;

/// <summary>
/// The waits one change of a <see cref="LiveResponse"/> completes — the shared waiter's and each writer's own
/// <see cref="LiveWaiter"/> — taken off the answer under its lock and run once the lock is released: the woken readers
/// run on the caller's thread until they next wait.
/// </summary>
internal readonly record struct LiveWakeups(TaskCompletionSource? Waiter, LiveWaiter? Writers)
{
    /// <summary>Completes every wait taken.</summary>
    public void Run()
    {
        Waiter?.TrySetResult();
        LiveWaiter.CompleteAll(Writers);
    }
}
