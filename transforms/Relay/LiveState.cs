namespace AiGateway.Transforms.Relay;

/// <summary>Where a <see cref="LiveResponse"/> is in its life.</summary>
public enum LiveState
{
    /// <summary>Waiting for the upstream's status and headers.</summary>
    Waiting,

    /// <summary>Status and headers known; events (or the body) arriving.</summary>
    Started,

    /// <summary>Complete: the terminal event, or the whole body, arrived.</summary>
    Completed,

    /// <summary>Ended without a complete answer (upstream error, drop, cancellation).</summary>
    Failed,
}
