namespace AiGateway.Config;

/// <summary>One <c>Gateway:Routes:&lt;name&gt;</c> policy, chosen by a request's <c>x-aigw-route</c> header.</summary>
public sealed class RoutePolicyOptions
{
    /// <summary>Whether responses on this route are cached.</summary>
    /// <value>Default true.</value>
    public bool Cache { get; set; } = true;

    /// <summary>Cache lifetime on this route, unless the request names one.</summary>
    /// <value>Seconds, 1 to 31536000, or null (default) for the org's or the gateway's default.</value>
    public int? TtlSeconds { get; set; }

    /// <summary>The mode (<c>cheap</c>, <c>smart</c>, <c>auto</c>) this route runs in.</summary>
    /// <value>Default null: the org's default mode.</value>
    public string? Mode { get; set; }

    /// <summary>Requests per minute each org's calls on this route may make.</summary>
    /// <value>1 to 10000000, or null (default) for no route limit. A limit applies per org, as every limit of a call is kept in the org's scope.</value>
    public int? RpmLimit { get; set; }

    /// <summary>Tokens per minute each org's calls on this route may use (estimated before the call, settled after).</summary>
    /// <value>1 to 10000000000, or null (default) for no route limit; per org.</value>
    public long? TpmLimit { get; set; }

    /// <summary>Calls of each org on this route that may run at once.</summary>
    /// <value>1 to 100000, or null (default) for no route limit; per org.</value>
    public int? MaxConcurrent { get; set; }

    /// <summary>The most payload logging calls on this route get (<c>off</c>, <c>metadata</c>, <c>redacted</c>, <c>full</c>): it lowers the org's or customer's <c>payload_logging</c>, never raises it.</summary>
    /// <value>Default null: no cap.</value>
    public string? PayloadLogging { get; set; }

    /// <summary>Whether cache entries of this route are shared by all orgs (public, non-personal prompts only).</summary>
    /// <value>Default false: every org has its own entries.</value>
    public bool SharedAcrossOrgs { get; set; }
}
