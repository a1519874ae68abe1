namespace AiGateway.Transforms.CostLog;

/// <summary>Where <see cref="PerfLogWriter"/> puts log rows: Postgres or the embedded store.</summary>
internal interface IPerfLogStore
{
    /// <summary>
    /// Writes the rows not stored yet and adds them to the daily rollup, in one transaction; rows already stored
    /// (same id) are skipped, so writing a batch again (a replayed spill file) counts nothing twice.
    /// </summary>
    Task WriteAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken);

    /// <summary>Makes room ahead (partitions of the current and next month) and removes rows past retention; returns what was removed (partitions or rows).</summary>
    Task<long> MaintainAsync(DateTimeOffset now, int retentionMonths, CancellationToken cancellationToken);

    /// <summary>Whether <paramref name="exception"/> means the store refused the rows themselves, so that writing them again cannot succeed.</summary>
    bool IsRejection(Exception exception);
}
