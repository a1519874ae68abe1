namespace AiGateway.Transforms.CostLog;

/// <summary>Takes performance-log rows off the request path; the rows reach the store in the background.</summary>
public interface IPerfLogWriter
{
    /// <summary>Queues a row without blocking and never throws; false only when the row could be neither queued nor spilled to disk.</summary>
    bool TryWrite(PerfLogRecord record);
}
