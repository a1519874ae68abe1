namespace AiGateway.Transforms.Orgs;

/// <summary>A row of <c>org_ai_settings</c> (CONTRACT §7); null members mean "use the gateway's default".</summary>
public sealed record OrgAiSettings
{
    /// <summary>The org.</summary>
    public required string OrgId { get; init; }

    /// <summary>The org's default mode (<c>cheap</c>, <c>smart</c>, <c>auto</c>), or null.</summary>
    public string? ModeDefault { get; init; }

    /// <summary>Whether <c>x-aigw-mode</c> may override the org's mode.</summary>
    public bool ClientModeOverride { get; init; } = true;

    /// <summary>Whether the org's calls are cached.</summary>
    public bool CacheEnabled { get; init; } = true;

    /// <summary>The org's cache TTL in seconds, or null.</summary>
    public int? CacheTtlSeconds { get; init; }

    /// <summary>Whether the org's identical in-flight calls are coalesced.</summary>
    public bool DedupeEnabled { get; init; } = true;

    /// <summary>Monthly token budget, or null for none.</summary>
    public long? MonthlyTokenBudget { get; init; }

    /// <summary>Monthly USD budget, or null for none.</summary>
    public decimal? MonthlyUsdBudget { get; init; }

    /// <summary>Whether an exhausted budget refuses calls (429 <c>budget_exceeded</c>).</summary>
    public bool HardBudget { get; init; }

    /// <summary>Whether a Passthrough key of this org may name customers (<c>x-aigw-customer</c>).</summary>
    public bool CustomersAllowed { get; init; }

    /// <summary>Requests per minute the org's calls may make, or null.</summary>
    public int? RpmLimit { get; init; }

    /// <summary>Tokens per minute the org's calls may use, or null.</summary>
    public long? TpmLimit { get; init; }

    /// <summary>Calls of the org that may run at once, or null.</summary>
    public int? MaxConcurrent { get; init; }

    /// <summary>What of the org's calls is stored (CONTRACT §10.7): <c>off</c> (the default), <c>metadata</c>, <c>redacted</c> or <c>full</c>.</summary>
    public string PayloadLogging { get; init; } = "off";
}
