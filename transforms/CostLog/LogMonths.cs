namespace AiGateway.Transforms.CostLog;

/// <summary>Calendar months (UTC) of the log: its partitions and its retention.</summary>
internal static class LogMonths
{
    /// <summary>The first moment of the UTC month of <paramref name="at"/>.</summary>
    public static DateTimeOffset Start(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        return new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Rows before this moment are past retention: the current month and <paramref name="retentionMonths"/> full months before it are kept.</summary>
    public static DateTimeOffset RetentionCutoff(DateTimeOffset now, int retentionMonths) => Start(now).AddMonths(-retentionMonths);
}
