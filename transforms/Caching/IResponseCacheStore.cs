namespace AiGateway.Transforms.Caching;

/// <summary>Where cache entries live: in process, or in Redis shared by every instance.</summary>
public interface IResponseCacheStore
{
    /// <summary>The entry of <paramref name="key"/>, or null. Failures of the store are misses, never errors.</summary>
    ValueTask<CachedResponse?> GetAsync(CacheKey key, CancellationToken cancellationToken);

    /// <summary>
    /// Stores the entry; returns when it is visible to every reader (read-your-writes), replacing any earlier entry of
    /// <paramref name="key"/> on every instance. The store may keep <paramref name="entry"/> itself: its payload must not be reused.
    /// <paramref name="replacing"/> says the caller knows of an earlier entry (a <c>no-cache</c> refresh): copies of it
    /// elsewhere are then dropped at once; after a miss, an identical answer written meanwhile by another call may live on
    /// in copies for their few seconds.
    /// </summary>
    Task SetAsync(CacheKey key, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken, bool replacing = true);

    /// <summary>Removes the entries matching every given filter; returns how many were removed (or marked removed).</summary>
    Task<long> PurgeAsync(string? orgId, string? route, string? fingerprint, CancellationToken cancellationToken);
}
