namespace AiGateway.Tests.Infrastructure;

/// <summary>A monotonic clock that moves only when the test says so (timestamps only; wall time stays the system's).</summary>
internal sealed class ManualClock : TimeProvider
{
    private long _timestamp = 1;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => Volatile.Read(ref _timestamp);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _timestamp, by.Ticks);
}
