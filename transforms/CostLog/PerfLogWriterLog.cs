using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.CostLog;

/// <summary>The log messages of <see cref="PerfLogWriter"/>, with stable event ids.</summary>
internal static partial class PerfLogWriterLog
{
    [LoggerMessage(EventId = 6001, EventName = "PerfLogQueueFull", Level = LogLevel.Warning,
        Message = "The cost log queue is full ({Capacity} rows); rows are spilled to {Folder} until it drains.")]
    public static partial void QueueFull(ILogger logger, int capacity, string folder);

    [LoggerMessage(EventId = 6002, EventName = "PerfLogStoreUnavailable", Level = LogLevel.Warning,
        Message = "The cost log store is unavailable ({Reason}); rows are spilled to {Folder} and written once it is back.")]
    public static partial void StoreUnavailable(ILogger logger, string reason, string folder, Exception exception);

    [LoggerMessage(EventId = 6003, EventName = "PerfLogStoreAvailable", Level = LogLevel.Information,
        Message = "The cost log store is available again.")]
    public static partial void StoreAvailable(ILogger logger);

    [LoggerMessage(EventId = 6004, EventName = "PerfLogSpillReplayed", Level = LogLevel.Information,
        Message = "Wrote {Count} spilled cost log rows to the store.")]
    public static partial void Replayed(ILogger logger, long count);

    [LoggerMessage(EventId = 6005, EventName = "PerfLogRowsRejected", Level = LogLevel.Error,
        Message = "The cost log store refused {Count} row(s) ({Reason}); they are kept in {Folder}/rejected-*.jsonl.")]
    public static partial void RowsRejected(ILogger logger, int count, string reason, string folder);

    [LoggerMessage(EventId = 6006, EventName = "PerfLogRowsLost", Level = LogLevel.Error,
        Message = "Could not write {Count} cost log row(s) to {Folder}; they are lost.")]
    public static partial void RowsLost(ILogger logger, int count, string folder);

    [LoggerMessage(EventId = 6007, EventName = "PerfLogSpillLinesUnreadable", Level = LogLevel.Warning,
        Message = "Skipped {Count} unreadable line(s) of the spill file {File}.")]
    public static partial void SpillLinesUnreadable(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 6008, EventName = "PerfLogRetentionApplied", Level = LogLevel.Information,
        Message = "Cost log retention removed {Count} partition(s) or row(s) older than {RetentionMonths} months.")]
    public static partial void RetentionApplied(ILogger logger, long count, int retentionMonths);

    [LoggerMessage(EventId = 6009, EventName = "PerfLogMaintenanceFailed", Level = LogLevel.Warning,
        Message = "Cost log maintenance (partitions ahead, retention) failed: {Reason}. Retrying in a minute.")]
    public static partial void MaintenanceFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 6010, EventName = "PerfLogWriterFailed", Level = LogLevel.Error,
        Message = "The cost log writer failed unexpectedly; its batch was spilled.")]
    public static partial void WriterFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6014, EventName = "PerfLogJournalFailed", Level = LogLevel.Warning,
        Message = "Could not write the cost log journal in {Folder} ({Reason}); rows still reach the store, but a kill before they do would lose them.")]
    public static partial void JournalFailed(ILogger logger, string folder, string reason);

    [LoggerMessage(EventId = 6015, EventName = "PerfLogJournalWritable", Level = LogLevel.Information,
        Message = "The cost log journal in {Folder} is written again.")]
    public static partial void JournalWritable(ILogger logger, string folder);
}
