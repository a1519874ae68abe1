namespace AiGateway.Transforms.CostLog;

/// <summary>How a <see cref="PerfLogWriter"/> wait for rows ended.</summary>
internal enum WaitOutcome
{
    DataReady,
    TimedOut,
    Completed,
}
