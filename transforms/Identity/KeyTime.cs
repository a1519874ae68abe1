namespace AiGateway.Transforms.Identity;

/// <summary>Times of keys as the stores keep them: UTC, in whole microseconds (Postgres' <c>timestamptz</c>), so that an answer and a later read agree.</summary>
internal static class KeyTime
{
    /// <summary><paramref name="time"/> as UTC, cut to whole microseconds.</summary>
    public static DateTime Stored(DateTime time) => new(time.Ticks - (time.Ticks % 10), DateTimeKind.Utc);

    /// <summary>The current time as a key time.</summary>
    public static DateTime Now(TimeProvider time) => Stored(time.GetUtcNow().UtcDateTime);
}
