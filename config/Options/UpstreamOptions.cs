namespace AiGateway.Config;

/// <summary>The <c>Gateway:Upstream</c> section.</summary>
public sealed class UpstreamOptions
{
    /// <summary>The real upstream key sent in <see cref="AuthMode.VirtualKeys"/> mode.</summary>
    /// <value>An OpenAI key. Default: the <c>OPENAI_API_KEY</c> environment variable. Never logged.</value>
    public string? ApiKey { get; set; }

    /// <summary>Longest wait for the upstream's response headers on a streamed call or a bodiless passthrough call, retries included.</summary>
    /// <value>Seconds, 1 to 3600. Default 120. A non-streamed AI call gets its headers only with its whole answer, so
    /// <see cref="TotalTimeoutSeconds"/> bounds it instead.</value>
    public int FirstByteTimeoutSeconds { get; set; } = 120;

    /// <summary>Longest a non-streamed upstream call may take; a stream that has started is never cut by it.</summary>
    /// <value>Seconds, 1 to 86400. Default 600.</value>
    public int TotalTimeoutSeconds { get; set; } = 600;

    /// <summary>Retries of one logical upstream call.</summary>
    /// <value>0 to 10. Default 2. Only understood endpoints are retried (their body is in memory); passthrough calls never are.</value>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff before a retry when the upstream gives no <c>Retry-After</c>; it doubles per retry, with jitter.</summary>
    /// <value>Milliseconds, 0 to 60000. Default 500.</value>
    public int RetryBaseDelayMilliseconds { get; set; } = 500;

    /// <summary>Longest wait before one retry: backoff is capped at it, and a <c>Retry-After</c> beyond it is not waited for (the client gets that answer at once).</summary>
    /// <value>Seconds, 0 to 600. Default 30.</value>
    public int MaxRetryDelaySeconds { get; set; } = 30;

    /// <summary>Consecutive failed calls after which a destination's circuit opens (clusters whose passive health policy is <c>UpstreamCircuitBreaker</c>).</summary>
    /// <value>1 to 1000. Default 5. A call that failed counts once, whatever its retries.</value>
    public int CircuitBreakerFailures { get; set; } = 5;

    /// <summary>
    /// The model a call is answered by when its own model fails (<c>Gateway:Upstream:FallbackModels:&lt;model&gt;</c>):
    /// after the retries of a connection failure, 5xx, 429 (not <c>insufficient_quota</c>) or timeout, one more attempt
    /// goes upstream with the body's <c>model</c> set to the fallback, before any byte reached the client.
    /// </summary>
    /// <value>Model name → fallback model name, both with a price. Default empty: no fallback. Matched, ignoring case, on
    /// the model sent upstream (after any mode rewrite); one step only (a fallback's own fallback is not followed);
    /// embeddings never fall back (another model's vectors do not compare with the first's).</value>
    public Dictionary<string, string> FallbackModels { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}
