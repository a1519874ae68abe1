namespace AiGateway.Config;

/// <summary>The <c>Gateway:Resume</c> section.</summary>
public sealed class ResumeOptions
{
    /// <summary>How long after its end a streamed answer can still be resumed with <c>Last-Event-ID</c>.</summary>
    /// <value>Seconds, 0 to 86400. Default 300.</value>
    public int WindowSeconds { get; set; } = 300;

    /// <summary>How many bytes of ended streams one instance keeps for resume; past it the oldest are forgotten first.</summary>
    /// <value>Bytes, 0 to 68719476736 (64 GiB). Default 67108864 (64 MiB); a forgotten stream's resume gets 404 <c>resume_not_found</c>, as an expired one's.</value>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>How long an upstream call goes on after its last client disconnected, waiting for a resume or a joiner.</summary>
    /// <value>Seconds, 0 to 3600. Default 10; then the call is cancelled ("stop generating" stops the bill).</value>
    public int GraceSeconds { get; set; } = 10;
}
