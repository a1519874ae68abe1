using System.Collections.Concurrent;
using AiGateway.Config;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The embedded store: entries kept as objects (no serialization on a hit) in a <see cref="MemoryCache"/> bounded by
/// <c>Gateway:Cache:MemoryLimitBytes</c>, which evicts expired, then least recently used entries.
/// </summary>
internal sealed class MemoryResponseCacheStore : IResponseCacheStore, IDisposable
{
    private readonly MemoryCache _cache;

    // Purge needs "every entry of org X / route Y"; MemoryCache cannot enumerate by tag, so keep the sets here.
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<string, byte>> _byTag = new(StringComparer.Ordinal);
    private readonly PostEvictionDelegate _onEvicted;

    public MemoryResponseCacheStore(IOptions<GatewayOptions> options)
    {
        _cache = new MemoryCache(new MemoryCacheOptions
        {
            SizeLimit = options.Value.Cache.MemoryLimitBytes,
            // Each compaction walks and sorts every entry; when most calls are unique (the usual AI traffic) the store
            // is always full, so evicting a quarter per pass costs 2.5x less CPU per stored answer than a tenth.
            CompactionPercentage = 0.25,
        });
        _onEvicted = (key, value, _, _) => Untag((string)key, ((Stored)value!).Tags);
    }

    /// <inheritdoc/>
    public ValueTask<CachedResponse?> GetAsync(string fingerprint, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_cache.TryGetValue(fingerprint, out Stored? stored) ? stored!.Entry : null);

    /// <inheritdoc/>
    public Task SetAsync(string fingerprint, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var tagKeys = TagKeys(tags.OrgId, tags.Route);
        using (var cacheEntry = _cache.CreateEntry(fingerprint))
        {
            cacheEntry.Value = new Stored(entry, tagKeys);
            cacheEntry.Size = entry.SizeBytes;
            cacheEntry.AbsoluteExpirationRelativeToNow = ttl;
            cacheEntry.RegisterPostEvictionCallback(_onEvicted);
        }

        foreach (var tag in tagKeys)
        {
            _byTag.GetOrAdd(tag, static _ => new(StringComparer.Ordinal))[fingerprint] = 0;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long> PurgeAsync(string? orgId, string? route, string? fingerprint, CancellationToken cancellationToken)
    {
        long removed = 0;
        if (fingerprint is not null)
        {
            if (_cache.TryGetValue(fingerprint, out Stored? stored) && Matches(stored!.Tags, orgId, route))
            {
                _cache.Remove(fingerprint);
                removed = 1;
            }

            return Task.FromResult(removed);
        }

        var tag = TagKey(orgId, route);
        if (tag is not null && _byTag.TryRemove(tag, out var fingerprints))
        {
            foreach (var key in fingerprints.Keys)
            {
                if (_cache.TryGetValue(key, out _))
                {
                    _cache.Remove(key);
                    removed++;
                }
            }
        }

        return Task.FromResult(removed);
    }

    /// <inheritdoc/>
    public void Dispose() => _cache.Dispose();

    private static string[] TagKeys(string orgId, string? route) =>
        route is null ? ["o:" + orgId] : ["o:" + orgId, "r:" + route, "or:" + orgId + "\n" + route];

    private static string? TagKey(string? orgId, string? route) => (orgId, route) switch
    {
        (not null, not null) => "or:" + orgId + "\n" + route,
        (not null, null) => "o:" + orgId,
        (null, not null) => "r:" + route,
        _ => null,
    };

    private static bool Matches(string[] tags, string? orgId, string? route)
    {
        var wanted = TagKey(orgId, route);
        return wanted is null || tags.Contains(wanted);
    }

    private void Untag(string fingerprint, string[] tags)
    {
        foreach (var tag in tags)
        {
            if (_byTag.TryGetValue(tag, out var set))
            {
                set.TryRemove(fingerprint, out _);
            }
        }
    }

    private sealed record Stored(CachedResponse Entry, string[] Tags);
}
