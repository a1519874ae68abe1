namespace AiGateway.Transforms.CostLog;

/// <summary>How a <see cref="PerfLogBatcher"/> wait for rows ended.</summary>
internal enum WaitOutcome
{
    DataReady,
    TimedOut,
    Completed,
}
