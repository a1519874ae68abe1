using System.Buffers;
using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The shared store: one Redis string per entry, <c>aigw:c:&lt;scope&gt;:{&lt;fingerprint&gt;}</c> (the hash tag keeps every
/// key of a fingerprint in one Redis Cluster slot; the scope, an org or a shared route, lets a purge find an org's entries
/// by a SCAN of their prefix rather than through an index written with every entry), its expiry written inside it, so that
/// a lookup is one GET and a write one SET. Entries of calls made on a route are also listed in the route's set
/// <c>aigw:ix:{route:&lt;route&gt;}</c>, for purges by route. Any Redis failure is a miss or a skipped write, never a
/// failed request. Entries read recently are answered from this instance's <see cref="NearResponseCache"/> without a
/// round trip; overwrites and purges are announced through <see cref="NearCacheInvalidation"/> before they return.
/// </summary>
internal sealed class RedisResponseCacheStore(RedisConnection redis, NearResponseCache near, NearCacheInvalidation invalidation, TimeProvider time) : IResponseCacheStore
{
    // Scopes and routes as they appear in keys: their own text when it holds nothing a key pattern or hash tag reads.
    private static readonly SearchValues<char> Plain = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/@+~-");
    private static readonly RedisKeyMemo<string> Prefixes = new(static scope => ["aigw:c:" + Name(scope) + ":"], 100_000);

    /// <inheritdoc/>
    public ValueTask<CachedResponse?> GetAsync(CacheKey key, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        if (database is null)
        {
            return ValueTask.FromResult<CachedResponse?>(null);
        }

        if (!near.Enabled || !invalidation.Listening)
        {
            return GetLeasedAsync(database, key);
        }

        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        return near.TryGet(key.Fingerprint, nowMs, out var copy)
            ? ValueTask.FromResult<CachedResponse?>(copy)
            : GetAndKeepAsync(database, key, nowMs);
    }

    /// <inheritdoc/>
    public async Task SetAsync(CacheKey key, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken, bool replacing = true)
    {
        var database = redis.Database;
        if (database is null)
        {
            return;
        }

        try
        {
            var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
            var entryKey = EntryKey(key);
            // The entry write (and, for an overwrite, the notice to other instances' copies) is awaited: read-your-writes.
            // The route's list is best effort, not waited for.
            var length = CachedResponseSerializer.Measure(entry);
            var bytes = ArrayPool<byte>.Shared.Rent(length);
            CachedResponseSerializer.Write(entry, bytes.AsSpan(0, length), nowMs + (long)ttl.TotalMilliseconds);
            var write = database.StringSetAsync(entryKey, bytes.AsMemory(0, length), ttl);
            var notice = replacing ? invalidation.PublishAsync(database, key.Fingerprint) : null;
            if (tags.Route is { } route)
            {
                _ = database.SetAddAsync(RouteKey(route), (string)entryKey!, CommandFlags.FireAndForget);
            }

            await write;
            // Redis has the bytes once it replied. A write that failed may still sit in the client's queue, so its buffer
            // is left to the GC instead.
            ArrayPool<byte>.Shared.Return(bytes);
            if (notice is not null)
            {
                await notice;
            }

            // A copy of the previous entry must not survive here either. The new one is not kept: most answers are
            // never asked for again, and a copy of each, alive for seconds, is what the GC pays for (the first hit
            // makes the copy instead).
            near.Invalidate(key.Fingerprint);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
        }
    }

    /// <inheritdoc/>
    /// <remarks>
    /// An org's entries (its customers' included) are found by a SCAN of the org's prefix on every primary, a route's in
    /// its set, one fingerprint's by a SCAN for it: the cost falls on the rare purge, not on every write. Entries of a
    /// route shared across orgs belong to the route: a purge by org alone leaves them.
    /// </remarks>
    public async Task<long> PurgeAsync(string? orgId, string? route, string? fingerprint, CancellationToken cancellationToken)
    {
        var database = redis.Database ?? throw new InvalidOperationException("Redis is not connected; nothing was purged.");
        var suffix = fingerprint is null ? null : "{" + fingerprint + "}";
        var prefix = orgId is null ? null : Prefix(orgId);
        var routed = route is null ? null : (await database.SetMembersAsync(RouteKey(route))).Select(m => m.ToString()).ToHashSet(StringComparer.Ordinal);
        IEnumerable<string> candidates = routed is not null ? routed
            : prefix is not null && suffix is not null ? [prefix + suffix]
            : await ScanAsync(prefix is not null ? prefix + "*" : "aigw:c:*" + suffix, cancellationToken);
        long removed = 0;
        foreach (var entryKey in candidates)
        {
            if ((prefix is null || entryKey.StartsWith(prefix, StringComparison.Ordinal)) && (suffix is null || entryKey.EndsWith(suffix, StringComparison.Ordinal)))
            {
                // Entries live in many slots, so they are deleted one by one rather than in one multi-key command.
                removed += await database.KeyDeleteAsync(entryKey) ? 1 : 0;
                if (route is not null)
                {
                    _ = database.SetRemoveAsync(RouteKey(route), entryKey, CommandFlags.FireAndForget);
                }
            }
        }

        if (fingerprint is not null)
        {
            near.Invalidate(fingerprint);
            await invalidation.PublishAsync(database, fingerprint);
            return removed;
        }

        // Copies do not know their org or route: every instance drops all of them (they are seconds old at most).
        near.Clear();
        await invalidation.PublishAsync(database, null);
        return removed;
    }

    // Keys matching a pattern on every primary (a Redis Cluster spreads them over its masters).
    private async Task<List<string>> ScanAsync(string pattern, CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var server in redis.Multiplexer.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: 1000).WithCancellation(cancellationToken))
            {
                found.Add(key.ToString());
            }
        }

        return found;
    }

    private async ValueTask<CachedResponse?> GetLeasedAsync(IDatabase database, CacheKey key)
    {
        try
        {
            var lease = await database.StringGetLeaseAsync(EntryKey(key));
            return lease is null ? null : CachedResponseSerializer.Deserialize(lease.Memory, lease);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return null;
        }
    }

    private async ValueTask<CachedResponse?> GetAndKeepAsync(IDatabase database, CacheKey key, long nowMs)
    {
        // Taken before the fetch, so an invalidation that overtakes the reply keeps a stale copy out.
        var observed = near.Observe(key.Fingerprint);
        try
        {
            // One GET: the entry carries its expiry, which its copy must not outlive. The value is an array of its own
            // (no pooled lease), as the copy outlives this request.
            var found = await database.StringGetAsync(EntryKey(key));
            if (found.IsNull)
            {
                return null;
            }

            var entry = CachedResponseSerializer.Deserialize((ReadOnlyMemory<byte>)found, null);
            if (entry is not null)
            {
                TimeSpan? remaining = entry.ExpiresAtUnixMs > 0 ? TimeSpan.FromMilliseconds(entry.ExpiresAtUnixMs - nowMs) : TimeSpan.Zero;
                near.Add(key.Fingerprint, entry, remaining, observed, nowMs);
            }

            return entry;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return null;
        }
    }

    private static RedisKey EntryKey(CacheKey key) => Prefix(key.Scope) + "{" + key.Fingerprint + "}";

    private static string Prefix(string scope) => (string)Prefixes.For(scope)[0]!;

    private static RedisKey RouteKey(string route) => "aigw:ix:{route:" + Name(route) + "}";

    // A scope or route in a key: as it is when plain and short, else # and 16 hex digits of its SHA-256 (# is not plain).
    private static string Name(string text) =>
        text.Length is > 0 and <= 128 && !text.AsSpan().ContainsAnyExcept(Plain)
            ? text
            : "#" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
}
