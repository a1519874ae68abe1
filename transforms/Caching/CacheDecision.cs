namespace AiGateway.Transforms.Caching;

/// <summary>What the cache does for one call, decided before the lookup.</summary>
/// <param name="Status">Miss (look up), Refresh or Bypass.</param>
/// <param name="Key">The request fingerprint (also the dedupe key and the log's request_hash), and whose entry it is.</param>
/// <param name="Store">Whether a complete 2xx answer is stored.</param>
/// <param name="Ttl">How long a stored answer lives.</param>
public sealed record CacheDecision(CacheStatus Status, CacheKey Key, bool Store, TimeSpan Ttl)
{
    /// <summary>The request fingerprint.</summary>
    public string Fingerprint => Key.Fingerprint;

    /// <summary>Whether the cache is looked up before calling upstream.</summary>
    public bool Lookup => Status == CacheStatus.Miss;

    /// <summary>The header value for a status.</summary>
    public static string HeaderValue(CacheStatus status) => status switch
    {
        CacheStatus.Hit => "hit",
        CacheStatus.Miss => "miss",
        CacheStatus.Refresh => "refresh",
        _ => "bypass",
    };
}
