namespace AiGateway.Config;

/// <summary>The <c>Gateway:Resume</c> section.</summary>
public sealed class ResumeOptions
{
    /// <summary>How long after its end a streamed answer can still be resumed with <c>Last-Event-ID</c>.</summary>
    /// <value>Seconds, 0 to 86400. Default 300.</value>
    public int WindowSeconds { get; set; } = 300;

    /// <summary>How long an upstream call goes on after its last client disconnected, waiting for a resume or a joiner.</summary>
    /// <value>Seconds, 0 to 3600. Default 10; then the call is cancelled ("stop generating" stops the bill).</value>
    public int GraceSeconds { get; set; } = 10;
}
