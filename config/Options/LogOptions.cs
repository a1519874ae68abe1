namespace AiGateway.Config;

/// <summary>The <c>Gateway:Log</c> section: the performance and cost log writer.</summary>
public sealed class LogOptions
{
    /// <summary>Longest a logged call waits in memory before it is written to the store.</summary>
    /// <value>Milliseconds, 10 to 1000. Default 500.</value>
    public int FlushIntervalMs { get; set; } = 500;

    /// <summary>Full calendar months of log rows kept before the current one; older months are dropped.</summary>
    /// <value>Months, 1 to 120. Default 13. The <c>ai_cost_daily</c> rollup is kept regardless.</value>
    public int RetentionMonths { get; set; } = 13;

    /// <summary>
    /// Whether a call's row is appended to a journal file under <c>Gateway:DataDir/spill</c> (the page cache, no fsync)
    /// before its answer's last byte leaves, so that killing the process (<c>kill -9</c>) loses no answered call's row.
    /// Answers of logged calls are then sent without <c>Content-Length</c> (chunked), so that their end follows the row.
    /// </summary>
    /// <value>Default true. Read at start-up.</value>
    public bool Journal { get; set; } = true;

    /// <summary>Rows held in memory waiting for the writer; beyond it rows go to spill files under <c>Gateway:DataDir</c>.</summary>
    /// <value>Rows, 1000 to 10000000. Default 200000.</value>
    public int QueueCapacity { get; set; } = 200_000;

    /// <summary>Most rows written in one batch (one COPY and one transaction).</summary>
    /// <value>Rows, 100 to 100000. Default 20000.</value>
    public int BatchSize { get; set; } = 20_000;

    /// <summary>
    /// Log rows written for calls refused 401 before their key was known, per minute, in a bucket of a sixth of it that
    /// refills continuously; past it such calls are counted (<c>aigw_unauthenticated_total</c>) but not written, so that
    /// nobody without a key can fill the database. Read at start-up.
    /// </summary>
    /// <value>Rows per minute, 1 to 60000. Default 600 (a burst of 100, then 10 a second).</value>
    public int UnauthenticatedRowsPerMinute { get; set; } = 600;

    /// <summary>How often the price table is read again from <c>model_prices</c>, so price rows added there apply without a restart.</summary>
    /// <value>Seconds, 5 to 86400. Default 60.</value>
    public int PriceRefreshSeconds { get; set; } = 60;
}
