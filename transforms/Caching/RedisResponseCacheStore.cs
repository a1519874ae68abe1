using System.Collections.Concurrent;
using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The shared store: one Redis string per entry, <c>aigw:c:{&lt;fingerprint&gt;}</c> (the hash tag keeps every key of a
/// fingerprint in one Redis Cluster slot), its expiry written inside it, so that a lookup is one GET. Purges find
/// entries through one index set per org and route, <c>aigw:ix:{or:&lt;org&gt;|&lt;route&gt;}</c> (route empty when none),
/// and the pairs through <c>aigw:ix:{routes:&lt;org&gt;}</c> and <c>aigw:ix:{orgs:&lt;route&gt;}</c>, which each instance
/// adds a pair to once in a while rather than on every write. Any Redis failure is a miss or a skipped write, never a
/// failed request. Entries read recently are answered from this instance's <see cref="NearResponseCache"/> without a
/// round trip; overwrites and purges are announced through <see cref="NearCacheInvalidation"/> before they return.
/// </summary>
internal sealed class RedisResponseCacheStore(RedisConnection redis, NearResponseCache near, NearCacheInvalidation invalidation, TimeProvider time) : IResponseCacheStore
{
    // A pair is announced to the org's and route's sets again after this long, should Redis have lost them meanwhile.
    private static readonly long AnnounceEveryMs = (long)TimeSpan.FromMinutes(5).TotalMilliseconds;

    private const int MaxAnnounced = 4096;

    // The pairs this instance announced, and when: bounded (it starts over), so an unbounded set of routes cannot grow it.
    private readonly ConcurrentDictionary<(string OrgId, string Route), long> _announced = new();

    /// <inheritdoc/>
    public ValueTask<CachedResponse?> GetAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        if (database is null)
        {
            return ValueTask.FromResult<CachedResponse?>(null);
        }

        if (!near.Enabled || !invalidation.Listening)
        {
            return GetLeasedAsync(database, fingerprint);
        }

        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        return near.TryGet(fingerprint, nowMs, out var copy)
            ? ValueTask.FromResult<CachedResponse?>(copy)
            : GetAndKeepAsync(database, fingerprint, nowMs);
    }

    /// <inheritdoc/>
    public async Task SetAsync(string fingerprint, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken, bool replacing = true)
    {
        var database = redis.Database;
        if (database is null)
        {
            return;
        }

        try
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            // The entry write (and, for an overwrite, the notice to other instances' copies) is awaited: read-your-writes.
            // The purge index is best effort, not waited for.
            var write = database.StringSetAsync(EntryKey(fingerprint), CachedResponseSerializer.Serialize(entry, nowMs + (long)ttl.TotalMilliseconds), ttl);
            var notice = replacing ? invalidation.PublishAsync(database, fingerprint) : null;
            var route = tags.Route ?? "";
            _ = database.SetAddAsync(PairKey(tags.OrgId, route), fingerprint, CommandFlags.FireAndForget);
            if (!_announced.TryGetValue((tags.OrgId, route), out var announcedAt) || nowMs - announcedAt > AnnounceEveryMs)
            {
                if (_announced.Count >= MaxAnnounced)
                {
                    _announced.Clear();
                }

                _announced[(tags.OrgId, route)] = nowMs;
                _ = database.SetAddAsync(RoutesOf(tags.OrgId), route, CommandFlags.FireAndForget);
                if (route.Length > 0)
                {
                    _ = database.SetAddAsync(OrgsOf(route), tags.OrgId, CommandFlags.FireAndForget);
                }
            }

            await write;
            if (notice is not null)
            {
                await notice;
            }

            // A copy of the previous entry must not survive here either. The new one is not kept: most answers are
            // never asked for again, and a copy of each, alive for seconds, is what the GC pays for (the first hit
            // makes the copy instead).
            near.Invalidate(fingerprint);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
        }
    }

    /// <inheritdoc/>
    public async Task<long> PurgeAsync(string? orgId, string? route, string? fingerprint, CancellationToken cancellationToken)
    {
        var database = redis.Database ?? throw new InvalidOperationException("Redis is not connected; nothing was purged.");
        var pairs = await PairsAsync(database, orgId, route);
        if (fingerprint is not null)
        {
            if (orgId is not null || route is not null)
            {
                var found = false;
                foreach (var pair in pairs)
                {
                    found |= await database.SetContainsAsync(pair, fingerprint);
                }

                if (!found)
                {
                    return 0;
                }
            }

            var deleted = await database.KeyDeleteAsync(EntryKey(fingerprint));
            near.Invalidate(fingerprint);
            await invalidation.PublishAsync(database, fingerprint);
            return deleted ? 1 : 0;
        }

        long removed = 0;
        foreach (var pair in pairs)
        {
            foreach (var member in await database.SetMembersAsync(pair))
            {
                // Entries live in many slots, so they are deleted one by one rather than in one multi-key command.
                removed += await database.KeyDeleteAsync(EntryKey(member.ToString())) ? 1 : 0;
            }

            await database.KeyDeleteAsync(pair);
        }

        // Copies do not know their org or route: every instance drops all of them (they are seconds old at most).
        near.Clear();
        await invalidation.PublishAsync(database, null);
        return removed;
    }

    // The index sets of the pairs a purge names: one pair, an org's routes, or a route's orgs.
    private static async Task<List<RedisKey>> PairsAsync(IDatabase database, string? orgId, string? route)
    {
        if (orgId is not null && route is not null)
        {
            return [PairKey(orgId, route)];
        }

        if (orgId is not null)
        {
            return [.. (await database.SetMembersAsync(RoutesOf(orgId))).Select(r => PairKey(orgId, r.ToString()))];
        }

        return route is null ? [] : [.. (await database.SetMembersAsync(OrgsOf(route))).Select(o => PairKey(o.ToString(), route))];
    }

    private async ValueTask<CachedResponse?> GetLeasedAsync(IDatabase database, string fingerprint)
    {
        try
        {
            var lease = await database.StringGetLeaseAsync(EntryKey(fingerprint));
            return lease is null ? null : CachedResponseSerializer.Deserialize(lease.Memory, lease);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return null;
        }
    }

    private async ValueTask<CachedResponse?> GetAndKeepAsync(IDatabase database, string fingerprint, long nowMs)
    {
        // Taken before the fetch, so an invalidation that overtakes the reply keeps a stale copy out.
        var observed = near.Observe(fingerprint);
        try
        {
            // One GET: the entry carries its expiry, which its copy must not outlive. The value is an array of its own
            // (no pooled lease), as the copy outlives this request.
            var found = await database.StringGetAsync(EntryKey(fingerprint));
            if (found.IsNull)
            {
                return null;
            }

            var entry = CachedResponseSerializer.Deserialize((ReadOnlyMemory<byte>)found, null);
            if (entry is not null)
            {
                TimeSpan? remaining = entry.ExpiresAtUnixMs > 0 ? TimeSpan.FromMilliseconds(entry.ExpiresAtUnixMs - nowMs) : TimeSpan.Zero;
                near.Add(fingerprint, entry, remaining, observed, nowMs);
            }

            return entry;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return null;
        }
    }

    private static RedisKey EntryKey(string fingerprint) => "aigw:c:{" + fingerprint + "}";

    private static RedisKey PairKey(string orgId, string route) => "aigw:ix:{or:" + orgId + "|" + route + "}";

    private static RedisKey RoutesOf(string orgId) => "aigw:ix:{routes:" + orgId + "}";

    private static RedisKey OrgsOf(string route) => "aigw:ix:{orgs:" + route + "}";
}
