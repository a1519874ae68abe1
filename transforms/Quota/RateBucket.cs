namespace AiGateway.Transforms.Quota;

/// <summary>
/// A per-minute limit as a token bucket (CONTRACT §10.4, as OpenAI's own limits are): a burst of at most N, refilled
/// continuously at N per minute. A settlement can leave it below zero (a call used more than it reserved): later calls
/// then wait until the refill covers the debt. The Redis ledger's script does the same arithmetic.
/// </summary>
internal struct RateBucket
{
    private double _tokens;
    private long _updatedMs;
    private bool _started;

    /// <summary>What is in the bucket at <paramref name="nowMs"/> for a limit of <paramref name="perMinute"/>.</summary>
    public double Level(long perMinute, long nowMs) =>
        !_started ? perMinute : Math.Min(perMinute, _tokens + ((nowMs - _updatedMs) * (double)perMinute / 60_000));

    /// <summary>Sets the level at <paramref name="nowMs"/>.</summary>
    public void Set(double tokens, long nowMs)
    {
        _tokens = tokens;
        _updatedMs = nowMs;
        _started = true;
    }

    /// <summary>Whether the bucket is full at <paramref name="nowMs"/> (a full bucket is the same as a new one, so it may be forgotten).</summary>
    public readonly bool IsFull(long perMinute, long nowMs) =>
        !_started || _tokens + ((nowMs - _updatedMs) * (double)perMinute / 60_000) >= perMinute;

    /// <summary>How long until <paramref name="needed"/> is in a bucket holding <paramref name="level"/>.</summary>
    public static TimeSpan Wait(double needed, double level, long perMinute) =>
        level >= needed ? TimeSpan.Zero : TimeSpan.FromMilliseconds(Math.Ceiling((needed - level) * 60_000 / perMinute));

    /// <summary>What a bucket holding <paramref name="level"/> tells the client: limit, remaining, time until full.</summary>
    public static RateWindow Window(long perMinute, double level) =>
        new(perMinute, (long)Math.Max(0, Math.Floor(level)), Wait(perMinute, level, perMinute));
}
