namespace AiGateway.Config;

/// <summary>The <c>Gateway:Limits</c> section: how rate limits and budgets estimate a call before it runs (CONTRACT §10.4).</summary>
public sealed class LimitsOptions
{
    /// <summary>
    /// The output tokens a call is assumed to use when its body names no <c>max_completion_tokens</c>, <c>max_tokens</c>
    /// or <c>max_output_tokens</c>; reserved against token limits and budgets before the call and settled to the real usage after.
    /// </summary>
    /// <value>Tokens, 0 to 1000000. Default 1024.</value>
    public int DefaultOutputTokens { get; set; } = 1024;

    /// <summary>
    /// How long a concurrency slot is held by a call whose instance died before giving it back; a live call holds its
    /// slot until it ends, whatever this says.
    /// </summary>
    /// <value>Seconds, 60 to 86400. Default 900.</value>
    public int ConcurrencyLeaseSeconds { get; set; } = 900;

    /// <summary>Limit and budget states an instance keeps in memory without Redis (the least recently used idle ones go first).</summary>
    /// <value>States, 1000 to 10000000. Default 100000.</value>
    public int MaxTrackedScopes { get; set; } = 100_000;
}
