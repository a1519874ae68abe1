using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// What the cache did for one call (a request feature owned by the cache step): its decision, and the outcome, which
/// only the cache step changes — to <see cref="CacheStatus.Hit"/> when it answers, to <see cref="CacheStatus.Bypass"/>
/// when a fallback model answered (its answer is not stored under this call's fingerprint).
/// </summary>
public sealed class CacheFeature
{
    internal CacheFeature(CacheDecision decision)
    {
        Decision = decision;
        Status = decision.Status;
    }

    /// <summary>The decision taken before the lookup.</summary>
    public CacheDecision Decision { get; }

    /// <summary>The request fingerprint (also the dedupe key and the log's request_hash).</summary>
    public string Fingerprint => Decision.Fingerprint;

    /// <summary>The <c>x-aigw-cache</c> outcome.</summary>
    public CacheStatus Status { get; internal set; }

    /// <summary>The usage of the cached answer that served the call (what the hit saved), or null.</summary>
    public TokenUsage? HitUsage { get; internal set; }
}
