using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The shared store: one Redis string per entry, <c>aigw:c:{&lt;fingerprint&gt;}</c> (the hash tag keeps every key of a
/// fingerprint in one Redis Cluster slot), plus purge index sets <c>aigw:ix:{o:&lt;org&gt;}</c>, <c>aigw:ix:{r:&lt;route&gt;}</c>
/// and <c>aigw:ix:{or:&lt;org&gt;|&lt;route&gt;}</c>. Any Redis failure is a miss or a skipped write, never a failed request.
/// </summary>
internal sealed class RedisResponseCacheStore(RedisConnection redis) : IResponseCacheStore
{
    /// <inheritdoc/>
    public async ValueTask<CachedResponse?> GetAsync(string fingerprint, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        if (database is null)
        {
            return null;
        }

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
            // The entry write is awaited (read-your-writes); the purge index is best effort and not waited for.
            var write = database.StringSetAsync(key, CachedResponseSerializer.Serialize(entry), ttl);
            foreach (var index in IndexKeys(tags.OrgId, tags.Route))
            {
                _ = database.SetAddAsync(index, fingerprint, CommandFlags.FireAndForget);
            }

            await write;
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

            return await database.KeyDeleteAsync(EntryKey(fingerprint)) ? 1 : 0;
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
        return removed;
    }

    private static RedisKey EntryKey(string fingerprint) => "aigw:c:{" + fingerprint + "}";

    private static RedisKey? IndexKey(string? orgId, string? route) => (orgId, route) switch
    {
        (not null, not null) => "aigw:ix:{or:" + orgId + "|" + route + "}",
        (not null, null) => "aigw:ix:{o:" + orgId + "}",
        (null, not null) => "aigw:ix:{r:" + route + "}",
        _ => null,
    };

    private static IEnumerable<RedisKey> IndexKeys(string orgId, string? route)
    {
        yield return IndexKey(orgId, null)!.Value;
        if (route is not null)
        {
            yield return IndexKey(null, route)!.Value;
            yield return IndexKey(orgId, route)!.Value;
        }
    }
}
