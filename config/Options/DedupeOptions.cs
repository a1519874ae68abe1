namespace AiGateway.Config;

/// <summary>The <c>Gateway:Dedupe</c> section.</summary>
public sealed class DedupeOptions
{
    /// <summary>Longest a follower waits for its leader's answer before it gets a 504.</summary>
    /// <value>Seconds, 1 to 86400. Default 600.</value>
    public int MaxWaitSeconds { get; set; } = 600;

    /// <summary>How long a leader's lease in Redis lives without renewal; a dead leader is detected after it.</summary>
    /// <value>Seconds, 2 to 300. Default 10.</value>
    public int LeaseSeconds { get; set; } = 10;
}
