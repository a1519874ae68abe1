using System.Collections.Concurrent;
using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Maps a request's bearer key to its org: in VirtualKeys mode through <see cref="IApiKeyStore"/> (cached briefly in memory),
/// in Passthrough mode by hashing the client's own key. It remembers keys by their hash only, at most
/// <c>capacity</c> of them, the least recently used dropped first.
/// </summary>
internal sealed class ApiKeyAuthenticator(IApiKeyStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time, int capacity = ApiKeyAuthenticator.DefaultCapacity)
{
    /// <summary>The most keys remembered; past it the least recently used tenth is dropped.</summary>
    public const int DefaultCapacity = 100_000;

    /// <summary>The longest bearer key taken, in UTF-8 bytes: a JWT bearer token fits, a flood of megabyte keys does not.</summary>
    public const int MaxKeyBytes = 4096;

    // Keyed by the SHA-256 of the bearer key (hex), never the key itself: a process dump or a flood of huge keys leaves
    // 64 characters per key behind. A repeat caller costs one SHA-256 of its key (under a microsecond) and one lookup.
    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);
    private readonly Lock _eviction = new();

    /// <summary>How many keys are remembered now.</summary>
    internal int CachedCount => _keys.Count;

    /// <summary>What the cache is keyed by (hex SHA-256 of each key), for tests that check no key is kept.</summary>
    internal IEnumerable<string> CachedHashes => _keys.Keys;

    /// <summary>The org for the key, or null when the key is unknown, revoked or longer than <see cref="MaxKeyBytes"/>.</summary>
    public ValueTask<OrgIdentity?> AuthenticateAsync(ReadOnlySpan<char> bearerKey, CancellationToken cancellationToken)
    {
        if (bearerKey.Length > MaxKeyBytes || (bearerKey.Length > MaxKeyBytes / 3 && System.Text.Encoding.UTF8.GetByteCount(bearerKey) > MaxKeyBytes))
        {
            return ValueTask.FromResult<OrgIdentity?>(null);
        }

        var mode = options.CurrentValue.Auth.Mode;
        Span<char> hash = stackalloc char[64];
        ApiKeyHasher.Hash(bearerKey, hash);
        var lookup = _keys.GetAlternateLookup<ReadOnlySpan<char>>();
        // An entry counts only in the mode that made it: a key accepted in Passthrough must not pass once a reload
        // switches to VirtualKeys.
        var now = time.GetTimestamp();
        if (lookup.TryGetValue(hash, out var cached) && cached.Mode == mode && now < cached.ExpiresAt)
        {
            cached.LastUsed = now;
            return ValueTask.FromResult(cached.Identity);
        }

        if (mode == AuthMode.Passthrough)
        {
            var identity = new OrgIdentity(string.Concat("pt_", hash[..16]), null);
            Remember(new string(hash), new CachedKey(identity, mode, long.MaxValue) { LastUsed = now });
            return ValueTask.FromResult<OrgIdentity?>(identity);
        }

        return LookUpAsync(new string(hash), cancellationToken);
    }

    /// <summary>
    /// Drops every cached entry of the key with id <paramref name="keyId"/>, so that a change of its policy, expiry or
    /// revocation made on this instance applies to its next call (other instances read it within
    /// <c>Gateway:Auth:KeyCacheSeconds</c>).
    /// </summary>
    public void Forget(string keyId)
    {
        // Admin changes are rare and the cache bounded, so a scan is the simple way.
        foreach (var (hash, entry) in _keys)
        {
            if (entry.Identity?.KeyId == keyId)
            {
                _keys.TryRemove(hash, out _);
            }
        }
    }

    private async ValueTask<OrgIdentity?> LookUpAsync(string hash, CancellationToken cancellationToken)
    {
        var record = await store.FindAsync(hash, cancellationToken);
        if (record is null || record.RevokedAt is not null)
        {
            return null;
        }

        var identity = new OrgIdentity(record.OrgId, record.Name) { Key = record };
        var ttl = TimeSpan.FromSeconds(options.CurrentValue.Auth.KeyCacheSeconds);
        if (ttl > TimeSpan.Zero)
        {
            var now = time.GetTimestamp();
            Remember(hash, new CachedKey(identity, AuthMode.VirtualKeys, now + (long)(ttl.TotalSeconds * time.TimestampFrequency)) { LastUsed = now });
        }

        return identity;
    }

    private void Remember(string hash, CachedKey entry)
    {
        if (_keys.Count >= capacity)
        {
            EvictLeastRecentlyUsed();
        }

        _keys[hash] = entry;
    }

    // Drops the least recently used tenth at once, so the scan (a sort of the use times) is paid once per capacity / 10
    // new keys, not on every one; the entries in use stay.
    private void EvictLeastRecentlyUsed()
    {
        lock (_eviction)
        {
            if (_keys.Count < capacity)
            {
                return;
            }

            var entries = _keys.ToArray();
            var drop = Math.Max(1, entries.Length - (capacity * 9 / 10));
            Array.Sort(entries, static (a, b) => a.Value.LastUsed.CompareTo(b.Value.LastUsed));
            for (var i = 0; i < drop; i++)
            {
                _keys.TryRemove(entries[i]);
            }
        }
    }

    private sealed class CachedKey(OrgIdentity? identity, AuthMode mode, long expiresAt)
    {
        public OrgIdentity? Identity { get; } = identity;

        public AuthMode Mode { get; } = mode;

        public long ExpiresAt { get; } = expiresAt;

        // Written by every hit without a lock: a lost update only makes the entry look a little older.
        public long LastUsed { get; set; }
    }
}
