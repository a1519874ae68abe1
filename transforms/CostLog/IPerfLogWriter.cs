namespace AiGateway.Transforms.CostLog;

/// <summary>Takes performance-log rows off the request path; the rows reach the store in the background.</summary>
public interface IPerfLogWriter
{
    /// <summary>
    /// Queues a row without waiting and never throws; false only when the row could be neither queued nor spilled to disk.
    /// With <c>Gateway:Log:Journal</c> on, the row is in the journal (it survives <c>kill -9</c>) when this returns.
    /// </summary>
    bool TryWrite(PerfLogRecord record);
}
