using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The shared store: one Redis string per entry, <c>aigw:c:{&lt;fingerprint&gt;}</c> (the hash tag keeps every key of a
/// fingerprint in one Redis Cluster slot), plus purge index sets <c>aigw:ix:{o:&lt;org&gt;}</c>, <c>aigw:ix:{r:&lt;route&gt;}</c>
/// and <c>aigw:ix:{or:&lt;org&gt;|&lt;route&gt;}</c>. Any Redis failure is a miss or a skipped write, never a failed request.
/// Entries read recently are answered from this instance's <see cref="NearResponseCache"/> without a round trip;
/// every overwrite and purge is announced through <see cref="NearCacheInvalidation"/> before it returns.
/// </summary>
internal sealed class RedisResponseCacheStore(RedisConnection redis, NearResponseCache near, NearCacheInvalidation invalidation, TimeProvider time) : IResponseCacheStore
{
    // The purge index keys of an org and route, made once per pair (orgs and routes are few next to cache writes).
    private readonly RedisKeyMemo<(string OrgId, string? Route)> _indexKeys = new(static pair => IndexKeysOf(pair.OrgId, pair.Route), 4096);

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
    public async Task SetAsync(string fingerprint, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        if (database is null)
        {
            return;
        }

        try
        {
            var key = EntryKey(fingerprint);
            // The entry write and the notice to other instances' near copies (this may be a no-cache refresh) are
            // awaited (read-your-writes) and pipelined: one round trip. The purge index is best effort, not waited for.
            var write = database.StringSetAsync(key, CachedResponseSerializer.Serialize(entry), ttl);
            var notice = invalidation.PublishAsync(database, fingerprint);
            foreach (var index in _indexKeys.For((tags.OrgId, tags.Route)))
            {
                _ = database.SetAddAsync(index, fingerprint, CommandFlags.FireAndForget);
            }

            await write;
            await notice;
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
        if (fingerprint is not null)
        {
            if (orgId is not null || route is not null)
            {
                var index = IndexKey(orgId, route)!.Value;
                if (!await database.SetContainsAsync(index, fingerprint))
                {
                    return 0;
                }
            }

            var deleted = await database.KeyDeleteAsync(EntryKey(fingerprint));
            near.Invalidate(fingerprint);
            await invalidation.PublishAsync(database, fingerprint);
            return deleted ? 1 : 0;
        }

        if (IndexKey(orgId, route) is not { } indexKey)
        {
            return 0;
        }

        long removed = 0;
        foreach (var member in await database.SetMembersAsync(indexKey))
        {
            // Entries live in many slots, so they are deleted one by one rather than in one multi-key command.
            removed += await database.KeyDeleteAsync(EntryKey(member.ToString())) ? 1 : 0;
        }

        await database.KeyDeleteAsync(indexKey);
        // Copies do not know their org or route: every instance drops all of them (they are seconds old at most).
        near.Clear();
        await invalidation.PublishAsync(database, null);
        return removed;
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
            // GET and PTTL in one round trip: the copy must not outlive the entry. The value is an array of its own
            // (no pooled lease), as the copy outlives this request.
            var found = await database.StringGetWithExpiryAsync(EntryKey(fingerprint));
            if (found.Value.IsNull)
            {
                return null;
            }

            var entry = CachedResponseSerializer.Deserialize((ReadOnlyMemory<byte>)found.Value, null);
            if (entry is not null)
            {
                near.Add(fingerprint, entry, found.Expiry, observed, nowMs);
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

    private static RedisKey? IndexKey(string? orgId, string? route) => (orgId, route) switch
    {
        (not null, not null) => "aigw:ix:{or:" + orgId + "|" + route + "}",
        (not null, null) => "aigw:ix:{o:" + orgId + "}",
        (null, not null) => "aigw:ix:{r:" + route + "}",
        _ => null,
    };

    private static RedisKey[] IndexKeysOf(string orgId, string? route) =>
        route is null ? [IndexKey(orgId, null)!.Value] : [IndexKey(orgId, null)!.Value, IndexKey(null, route)!.Value, IndexKey(orgId, route)!.Value];
}
