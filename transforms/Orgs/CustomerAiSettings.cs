namespace AiGateway.Transforms.Orgs;

/// <summary>
/// A row of <c>customer_ai_settings</c> (CONTRACT §10.2): the settings of one customer of an org, each null member
/// meaning "the org's value".
/// </summary>
public sealed record CustomerAiSettings
{
    /// <summary>The org the customer belongs to.</summary>
    public required string OrgId { get; init; }

    /// <summary>The customer, as the app names it in <c>x-aigw-customer</c>.</summary>
    public required string CustomerId { get; init; }

    /// <summary>The customer's default mode, or null for the org's.</summary>
    public string? ModeDefault { get; init; }

    /// <summary>Whether <c>x-aigw-mode</c> may override the mode, or null for the org's.</summary>
    public bool? ClientModeOverride { get; init; }

    /// <summary>Whether the customer's calls are cached, or null for the org's.</summary>
    public bool? CacheEnabled { get; init; }

    /// <summary>The cache TTL in seconds, or null for the org's.</summary>
    public int? CacheTtlSeconds { get; init; }

    /// <summary>Whether identical calls in flight are coalesced, or null for the org's.</summary>
    public bool? DedupeEnabled { get; init; }

    /// <summary>The customer's monthly token budget, or null for the org's.</summary>
    public long? MonthlyTokenBudget { get; init; }

    /// <summary>The customer's monthly USD budget, or null for the org's.</summary>
    public decimal? MonthlyUsdBudget { get; init; }

    /// <summary>Whether an exhausted budget refuses the customer's calls, or null for the org's.</summary>
    public bool? HardBudget { get; init; }

    /// <summary>Requests per minute, or null for the org's.</summary>
    public int? RpmLimit { get; init; }

    /// <summary>Tokens per minute, or null for the org's.</summary>
    public long? TpmLimit { get; init; }

    /// <summary>Calls that may run at once, or null for the org's.</summary>
    public int? MaxConcurrent { get; init; }

    /// <summary>What of the customer's calls is stored (<c>off</c>, <c>metadata</c>, <c>redacted</c>, <c>full</c>), or null for the org's.</summary>
    public string? PayloadLogging { get; init; }
}
