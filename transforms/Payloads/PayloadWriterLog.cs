using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Payloads;

/// <summary>The log messages of <see cref="PayloadWriter"/>, with stable event ids (19xx: issue 19).</summary>
internal static partial class PayloadWriterLog
{
    [LoggerMessage(EventId = 1901, EventName = "PayloadQueueFull", Level = LogLevel.Warning,
        Message = "The payload queue is full ({Capacity}); payloads are dropped (aigw_payloads_dropped_total) until it drains. Calls and their log rows are unaffected.")]
    public static partial void QueueFull(ILogger logger, int capacity);

    [LoggerMessage(EventId = 1902, EventName = "PayloadWriteFailed", Level = LogLevel.Warning,
        Message = "{Count} payload(s) could not be written and are dropped ({Reason}).")]
    public static partial void WriteFailed(ILogger logger, int count, string reason, Exception exception);

    [LoggerMessage(EventId = 1903, EventName = "PayloadRedactionTimedOut", Level = LogLevel.Warning,
        Message = "A custom redaction pattern (Gateway:Payloads:Redact:Patterns) timed out; the payload is dropped rather than stored unredacted.")]
    public static partial void RedactionTimedOut(ILogger logger);

    [LoggerMessage(EventId = 1904, EventName = "PayloadRetentionApplied", Level = LogLevel.Information,
        Message = "Payload retention ({Days} days) removed {Removed} partition(s) or row(s).")]
    public static partial void RetentionApplied(ILogger logger, long removed, int days);

    [LoggerMessage(EventId = 1905, EventName = "PayloadMaintenanceFailed", Level = LogLevel.Warning,
        Message = "Payload partitions and retention could not be seen to ({Reason}); tried again in a minute.")]
    public static partial void MaintenanceFailed(ILogger logger, string reason);
}
