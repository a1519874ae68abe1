namespace AiGateway.Transforms.Caching;

/// <summary>What the cache does for one call.</summary>
/// <param name="Status">The outcome so far: Miss (look up), Refresh or Bypass.</param>
/// <param name="Fingerprint">The request fingerprint (also the dedupe key and the log's request_hash).</param>
/// <param name="Store">Whether a complete 2xx answer is stored.</param>
/// <param name="Ttl">How long a stored answer lives.</param>
public sealed record CacheDecision(CacheStatus Status, string Fingerprint, bool Store, TimeSpan Ttl)
{
    /// <summary>The outcome so far; the cache step sets <see cref="CacheStatus.Hit"/> on the call's own decision (a copy per hit cost an allocation).</summary>
    public CacheStatus Status { get; internal set; } = Status;

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
