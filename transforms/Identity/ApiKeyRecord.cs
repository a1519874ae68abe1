namespace AiGateway.Transforms.Identity;

/// <summary>A row of <c>api_keys</c>: a virtual key known only by its SHA-256 hash, with its policy (CONTRACT §10.3).</summary>
/// <param name="KeyHash">Lower-case hex SHA-256 of the key.</param>
/// <param name="OrgId">The org the key acts for.</param>
/// <param name="Name">The key's name (the app using it); a rotated key keeps its name.</param>
/// <param name="CreatedAt">When the key was issued.</param>
/// <param name="RevokedAt">When it was revoked, or null.</param>
public sealed record ApiKeyRecord(string KeyHash, string OrgId, string Name, DateTime CreatedAt, DateTime? RevokedAt)
{
    /// <summary>The length of a key's id: the first hex characters of its hash.</summary>
    public const int IdLength = 12;

    /// <summary>The key's id in the admin API and the log: the first 12 hex characters of its hash.</summary>
    public string Id => KeyHash[..IdLength];

    /// <summary>Models the key may call (exact names and <c>*</c> globs, checked after the mode rewrite); empty = all.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    /// <summary>When the key stops working (401 <c>key_expired</c>), or null for never.</summary>
    public DateTime? ExpiresAt { get; init; }

    /// <summary>The key's own monthly USD budget, always enforced, or null.</summary>
    public decimal? MonthlyUsdBudget { get; init; }

    /// <summary>Requests per minute the key may make, or null.</summary>
    public int? RpmLimit { get; init; }

    /// <summary>Tokens per minute the key may use, or null.</summary>
    public long? TpmLimit { get; init; }

    /// <summary>Calls of the key that may run at once, or null.</summary>
    public int? MaxConcurrent { get; init; }

    /// <summary>Whether calls with this key may name a customer (<c>x-aigw-customer</c>).</summary>
    public bool MayNameCustomers { get; init; }

    /// <summary>The name of the environment variable holding this key's own upstream credential (never its value), or null.</summary>
    public string? UpstreamKeyEnv { get; init; }

    /// <summary>Free-form labels, as a JSON object.</summary>
    public string Labels { get; init; } = "{}";

    /// <summary>Whether the key works at <paramref name="now"/>: not revoked and not expired.</summary>
    public bool IsActiveAt(DateTime now) => RevokedAt is null && (ExpiresAt is not { } expires || now < expires);
}
