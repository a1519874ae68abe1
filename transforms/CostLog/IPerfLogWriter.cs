namespace AiGateway.Transforms.CostLog;

/// <summary>Takes performance-log rows off the request path; the rows reach the store in the background.</summary>
public interface IPerfLogWriter
{
    /// <summary>Queues a row without blocking and never throws; false only when the row could be neither queued nor spilled to disk.</summary>
    bool TryWrite(PerfLogRecord record);

    /// <summary>
    /// Queues a row as <see cref="TryWrite"/> does, first appending it to the journal when <c>Gateway:Log:Journal</c> is on;
    /// completes once the row would survive the process being killed. Never throws.
    /// </summary>
    Task WriteDurableAsync(PerfLogRecord record);
}
