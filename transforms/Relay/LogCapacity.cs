namespace AiGateway.Transforms.Relay;

/// <summary>
/// The size of the first array of a <see cref="LiveResponse"/>'s event log, learnt from the streams that completed:
/// a typical answer then allocates about its own size once, instead of a fixed array far larger than it.
/// </summary>
/// <remarks>
/// The estimate tracks a high quantile (about 31 answers in 32 are no larger) of the logs' final sizes: up by a 16th
/// when an answer was larger, down by a 512th when it was not (a frugal streaming quantile; both steps proportional, so
/// it settles within a few hundred answers whatever their size). The first array adds a 32nd to it, so that answers
/// of one steady size, which the estimate keeps crossing, still fit. It never exceeds <see cref="Max"/>, the fixed
/// first size used before: whatever the mix of answers, the first array is never larger than it was, and larger
/// answers grow by doubling as before. Updated without a lock: a lost update between two answers ending at once only
/// slows the estimate.
/// </remarks>
internal sealed class LogCapacity
{
    /// <summary>The largest first array: holds a short answer's stream (some twenty chat chunks) without growing.</summary>
    public const int Max = 8 * 1024;

    /// <summary>The smallest first array (a stream is at least a few events).</summary>
    public const int Min = 512;

    private int _estimate = Max;

    /// <summary>The one estimate of this process, shared by every answer.</summary>
    public static LogCapacity Shared { get; } = new();

    /// <summary>The size to allocate for a log's first array: the estimate and a 32nd, rounded up to whole cache lines.</summary>
    public int First
    {
        get
        {
            var estimate = Volatile.Read(ref _estimate);
            return Math.Min(Max, (estimate + estimate / 32 + 63) & ~63);
        }
    }

    /// <summary>Learns from a stream that completed with <paramref name="totalBytes"/> of events.</summary>
    public void Learn(long totalBytes)
    {
        var estimate = Volatile.Read(ref _estimate);
        var next = totalBytes > estimate ? estimate + estimate / 16 : estimate - estimate / 512;
        Volatile.Write(ref _estimate, Math.Clamp(next, Min, Max));
    }
}
