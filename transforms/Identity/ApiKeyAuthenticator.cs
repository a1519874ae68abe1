using System.Collections.Concurrent;
using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Maps a request's bearer key to its org: in VirtualKeys mode through <see cref="IApiKeyStore"/> (cached briefly in memory),
/// in Passthrough mode by hashing the client's own key.
/// </summary>
internal sealed class ApiKeyAuthenticator(IApiKeyStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time)
{
    // Bounded so that a flood of random keys cannot grow memory without limit.
    private const int MaxCachedKeys = 100_000;

    // Keyed by the bearer key itself, compared in full: a repeat caller costs one lookup instead of a SHA-256 per request.
    // The keys live only in this process's memory, as they do in every request's headers; the stores hold hashes only.
    private readonly ConcurrentDictionary<string, CachedKey> _keys = new(StringComparer.Ordinal);

    /// <summary>The org for the key, or null when the key is unknown or revoked.</summary>
    public ValueTask<OrgIdentity?> AuthenticateAsync(ReadOnlySpan<char> bearerKey, CancellationToken cancellationToken)
    {
        var mode = options.CurrentValue.Auth.Mode;
        var lookup = _keys.GetAlternateLookup<ReadOnlySpan<char>>();
        // An entry counts only in the mode that made it: a key accepted in Passthrough must not pass once a reload
        // switches to VirtualKeys.
        if (lookup.TryGetValue(bearerKey, out var cached) && cached.Mode == mode && time.GetTimestamp() < cached.ExpiresAt)
        {
            return ValueTask.FromResult(cached.Identity);
        }

        Span<char> hash = stackalloc char[64];
        ApiKeyHasher.Hash(bearerKey, hash);
        if (mode == AuthMode.Passthrough)
        {
            var identity = new OrgIdentity(string.Concat("pt_", hash[..16]), null);
            Remember(bearerKey.ToString(), new CachedKey(identity, mode, long.MaxValue));
            return ValueTask.FromResult<OrgIdentity?>(identity);
        }

        return LookUpAsync(bearerKey.ToString(), new string(hash), cancellationToken);
    }

    /// <summary>
    /// Drops every cached entry of the key with id <paramref name="keyId"/>, so that a change of its policy, expiry or
    /// revocation made on this instance applies to its next call (other instances read it within
    /// <c>Gateway:Auth:KeyCacheSeconds</c>).
    /// </summary>
    public void Forget(string keyId)
    {
        // The cache is keyed by the secret, which an admin change never has: the entries are found by their record's id.
        // Admin changes are rare and the cache bounded, so a scan is the simple way.
        foreach (var (bearerKey, entry) in _keys)
        {
            if (entry.Identity?.KeyId == keyId)
            {
                _keys.TryRemove(bearerKey, out _);
            }
        }
    }

    private async ValueTask<OrgIdentity?> LookUpAsync(string bearerKey, string hash, CancellationToken cancellationToken)
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
            Remember(bearerKey, new CachedKey(identity, AuthMode.VirtualKeys, time.GetTimestamp() + (long)(ttl.TotalSeconds * time.TimestampFrequency)));
        }

        return identity;
    }

    private void Remember(string bearerKey, CachedKey entry)
    {
        if (_keys.Count >= MaxCachedKeys)
        {
            _keys.Clear();
        }

        _keys[bearerKey] = entry;
    }

    private readonly record struct CachedKey(OrgIdentity? Identity, AuthMode Mode, long ExpiresAt);
}
