using System.Collections.Concurrent;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// This instance's short-lived copies of Redis entries it recently read, kept as parsed objects so a repeated
/// hit costs neither a Redis round trip nor a deserialisation. A copy lives at most <c>Gateway:Cache:NearSeconds</c>
/// and never past the entry's own expiry; the held bytes are bounded by <c>Gateway:Cache:NearLimitBytes</c>.
/// </summary>
/// <remarks>
/// Entries are immutable per fingerprint except for overwrites (a <c>no-cache</c> refresh) and purges, which call
/// <see cref="Invalidate"/> or <see cref="Clear"/> here and on every other instance. A reader that fetched an entry
/// while an invalidation ran must not keep its copy: it takes a version stamp with <see cref="Observe"/> before the
/// fetch, and <see cref="Add"/> keeps the copy only if no invalidation of that fingerprint's stripe happened since.
/// </remarks>
internal sealed class NearResponseCache
{
    private const int StripeCount = 64;

    private readonly ConcurrentDictionary<string, Copy> _copies = new(StringComparer.Ordinal);
    private readonly long[] _stripes = new long[StripeCount];
    private readonly long _lifetimeMs;
    private readonly long _limitBytes;
    private long _bytes;
    private long _nextSweepMs;

    public NearResponseCache(TimeSpan lifetime, long limitBytes)
    {
        _lifetimeMs = (long)lifetime.TotalMilliseconds;
        _limitBytes = limitBytes;
    }

    /// <summary>Whether copies are kept at all.</summary>
    public bool Enabled => _lifetimeMs > 0;

    /// <summary>Bytes held now (approximate, as counted by <see cref="CachedResponse.SizeBytes"/>).</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>The live copy of the entry, if there is one at <paramref name="nowMs"/>.</summary>
    public bool TryGet(string fingerprint, long nowMs, out CachedResponse entry)
    {
        if (_copies.TryGetValue(fingerprint, out var copy))
        {
            if (nowMs < copy.ExpiresAtMs)
            {
                entry = copy.Entry;
                return true;
            }

            Remove(fingerprint, copy);
        }

        entry = null!;
        return false;
    }

    /// <summary>The version stamp to take before fetching the entry from Redis and pass to <see cref="Add"/>.</summary>
    public long Observe(string fingerprint) => Volatile.Read(ref _stripes[Stripe(fingerprint)]);

    /// <summary>
    /// Keeps a copy of an entry fetched at <paramref name="nowMs"/> (Unix ms) that Redis keeps for
    /// <paramref name="remaining"/> more (null: no expiry), unless the fingerprint was invalidated since <paramref name="observed"/>.
    /// </summary>
    public void Add(string fingerprint, CachedResponse entry, TimeSpan? remaining, long observed, long nowMs)
    {
        var lifetimeMs = Math.Min(_lifetimeMs, remaining is { } left ? (long)left.TotalMilliseconds : long.MaxValue);
        var size = entry.SizeBytes;
        if (lifetimeMs <= 0 || !HasRoomFor(size, nowMs) || Observe(fingerprint) != observed)
        {
            return;
        }

        var copy = new Copy(entry, nowMs + lifetimeMs, size);
        Put(fingerprint, copy);
        // An invalidation bumps the stripe before it removes; if it ran between the check above and the insert, it may
        // have removed nothing, so the copy takes itself out again.
        if (Observe(fingerprint) != observed)
        {
            Remove(fingerprint, copy);
        }
    }

    /// <summary>Drops the copy of one entry (overwritten or purged); returns the new version stamp of its stripe.</summary>
    public long Invalidate(string fingerprint)
    {
        var stamp = Interlocked.Increment(ref _stripes[Stripe(fingerprint)]);
        if (_copies.TryGetValue(fingerprint, out var copy))
        {
            Remove(fingerprint, copy);
        }

        return stamp;
    }

    /// <summary>Drops every copy: a purge by org or route, or invalidations that may have been missed (Redis reconnected).</summary>
    public void Clear()
    {
        for (var i = 0; i < StripeCount; i++)
        {
            Interlocked.Increment(ref _stripes[i]);
        }

        foreach (var (fingerprint, copy) in _copies)
        {
            Remove(fingerprint, copy);
        }
    }

    private static int Stripe(string fingerprint) => (int)((uint)fingerprint.GetHashCode() % StripeCount);

    private void Put(string fingerprint, Copy copy)
    {
        while (true)
        {
            if (_copies.TryGetValue(fingerprint, out var old))
            {
                if (_copies.TryUpdate(fingerprint, copy, old))
                {
                    Interlocked.Add(ref _bytes, copy.Size - old.Size);
                    return;
                }
            }
            else if (_copies.TryAdd(fingerprint, copy))
            {
                Interlocked.Add(ref _bytes, copy.Size);
                return;
            }
        }
    }

    private void Remove(string fingerprint, Copy copy)
    {
        // Removes only this very copy, never a newer one added meanwhile.
        if (_copies.TryRemove(KeyValuePair.Create(fingerprint, copy)))
        {
            Interlocked.Add(ref _bytes, -copy.Size);
        }
    }

    private bool HasRoomFor(long size, long nowMs)
    {
        // Copies that are never read again are swept by one caller at most once a second, not on every add.
        var next = Volatile.Read(ref _nextSweepMs);
        if (nowMs >= next && Interlocked.CompareExchange(ref _nextSweepMs, nowMs + Math.Min(_lifetimeMs, 1000), next) == next)
        {
            foreach (var (fingerprint, copy) in _copies)
            {
                if (copy.ExpiresAtMs <= nowMs)
                {
                    Remove(fingerprint, copy);
                }
            }
        }

        return Interlocked.Read(ref _bytes) + size <= _limitBytes;
    }

    // A class, not a record: removal must match this very copy by reference.
    private sealed class Copy(CachedResponse entry, long expiresAtMs, long size)
    {
        public CachedResponse Entry { get; } = entry;

        public long ExpiresAtMs { get; } = expiresAtMs;

        public long Size { get; } = size;
    }
}
