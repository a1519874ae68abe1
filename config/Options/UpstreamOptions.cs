namespace AiGateway.Config;

/// <summary>The <c>Gateway:Upstream</c> section.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The real upstream key sent in <see cref="AuthMode.VirtualKeys"/> mode.</summary>
    /// <value>An OpenAI key. Default: the <c>OPENAI_API_KEY</c> environment variable. Never logged.</value>
    public string? ApiKey { get; set; }

    /// <summary>Longest wait for the upstream's response headers.</summary>
    /// <value>Seconds, 1 to 3600. Default 120.</value>
    public int FirstByteTimeoutSeconds { get; set; } = 120;

    /// <summary>Longest a non-streamed upstream call may take; a stream that has started is never cut by it.</summary>
    /// <value>Seconds, 1 to 86400. Default 600.</value>
    public int TotalTimeoutSeconds { get; set; } = 600;

    /// <summary>Retries of one logical upstream call.</summary>
    /// <value>0 to 10. Default 2.</value>
    public int MaxRetries { get; set; } = 2;
}
