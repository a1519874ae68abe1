namespace AiGateway.Transforms.Payloads;

/// <summary>The UTC days payloads are kept and partitioned by.</summary>
internal static class PayloadDays
{
    /// <summary>The start (UTC midnight) of the day of <paramref name="time"/>.</summary>
    public static DateTimeOffset Start(DateTimeOffset time) => new(time.UtcDateTime.Date, TimeSpan.Zero);

    /// <summary>The first moment kept: midnight of the day <paramref name="retentionDays"/> before today (UTC); everything before it goes.</summary>
    public static DateTimeOffset RetentionCutoff(DateTimeOffset now, int retentionDays) => Start(now).AddDays(-retentionDays);
}
