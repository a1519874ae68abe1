using System.Buffers;
using System.Text;
using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The embedded store: a ring of <c>Gateway:Cache:MemoryLimitBytes</c> bytes holding serialized entries back to back
/// (<see cref="CacheRecord"/>), and an index from fingerprint to record. A new entry overwrites the oldest ones (FIFO).
/// </summary>
/// <remarks>
/// Unique answers (the usual AI traffic) keep the store full. Kept as objects they were promoted to gen2 and died there
/// on eviction, so the GC traced and copied them all the time; byte arrays and a dictionary of structs hold no
/// references, so the GC never looks inside. A hit copies its bytes out under the lock: a later overwrite cannot
/// change an answer being written. The lock is held for a copy of one entry (a few KB), never across an await.
/// An entry read a second time is kept parsed (a hot copy, valid while the index still points at its record), so a
/// popular answer is neither copied nor parsed again; answers read once, the usual case, never become objects.
/// </remarks>
internal sealed class MemoryResponseCacheStore : IResponseCacheStore
{
    // Arrays stop at 2 GiB: a larger ring is several segments, and no record crosses a segment's end.
    private const int MaxSegmentBytes = 1 << 30;

    private readonly Lock _lock = new();
    private readonly Dictionary<FingerprintKey, long> _index = [];
    private readonly Dictionary<FingerprintKey, HotCopy> _hot = [];
    private readonly byte[]?[] _segments;
    private readonly int _segmentBytes;
    private readonly long _capacity;
    private readonly long _maxRecordBytes;
    private readonly long _hotLimitBytes;
    private readonly TimeProvider _time;

    // Positions are logical (they only grow); a record at p lives at p % _capacity. Records in [_tail, _head) are intact.
    private long _head;
    private long _tail;
    private long _hotBytes;

    public MemoryResponseCacheStore(IOptions<GatewayOptions> options, TimeProvider time)
        : this(options.Value.Cache.MemoryLimitBytes, MaxSegmentBytes, time)
    {
    }

    internal MemoryResponseCacheStore(long capacityBytes, int maxSegmentBytes, TimeProvider time)
    {
        var segments = (int)((capacityBytes + maxSegmentBytes - 1) / maxSegmentBytes);
        _segmentBytes = (int)((((capacityBytes + segments - 1) / segments) + 7) & ~7L);
        _segments = new byte[segments][];
        _capacity = (long)segments * _segmentBytes;
        // An entry over an eighth of a segment (8 MiB in the default 64 MiB ring, above the default
        // Gateway:Cache:MaxEntryBytes) is not stored: one answer would evict a large part of the cache.
        _maxRecordBytes = _segmentBytes / 8;
        // Hot copies are objects again: an eighth of the ring at most, all dropped at once when full (rare: only
        // answers read twice get one, and a stale one goes when its fingerprint is next looked up).
        _hotLimitBytes = _capacity / 8;
        _time = time;
    }

    /// <inheritdoc/>
    public ValueTask<CachedResponse?> GetAsync(CacheKey cacheKey, CancellationToken cancellationToken)
    {
        if (!FingerprintKey.TryParse(cacheKey.Fingerprint, out var key))
        {
            return ValueTask.FromResult<CachedResponse?>(null);
        }

        var nowMs = NowMs();
        byte[] copy;
        int length;
        lock (_lock)
        {
            if (!_index.TryGetValue(key, out var position))
            {
                ForgetHot(key);
                return ValueTask.FromResult<CachedResponse?>(null);
            }

            var record = RecordAt(position);
            if (record.ExpiresAtMs <= nowMs)
            {
                _index.Remove(key);
                ForgetHot(key);
                return ValueTask.FromResult<CachedResponse?>(null);
            }

            if (_hot.TryGetValue(key, out var hot) && hot.Position == position)
            {
                return ValueTask.FromResult<CachedResponse?>(hot.Entry);
            }

            length = record.Data.Length;
            if (record.MarkRead())
            {
                return ValueTask.FromResult(KeepHot(key, position, record.Data.ToArray()));
            }

            copy = ArrayPool<byte>.Shared.Rent(length);
            record.Data.CopyTo(copy);
        }

        return ValueTask.FromResult(CachedResponseSerializer.Deserialize(copy.AsMemory(0, length), new PooledCopy(copy)));
    }

    /// <inheritdoc/>
    public Task SetAsync(CacheKey cacheKey, CacheTags tags, CachedResponse entry, TimeSpan ttl, CancellationToken cancellationToken, bool replacing = true)
    {
        if (!FingerprintKey.TryParse(cacheKey.Fingerprint, out var key))
        {
            return Task.CompletedTask;
        }

        var expiresAtMs = NowMs() + (long)Math.Min(ttl.TotalMilliseconds, long.MaxValue / 4);
        var dataLength = CachedResponseSerializer.Measure(entry);
        var length = CacheRecord.Measure(tags, dataLength);
        lock (_lock)
        {
            if (length < 0 || length > _maxRecordBytes || ttl <= TimeSpan.Zero)
            {
                // Not stored; the earlier entry of the fingerprint must not answer in its place either.
                _index.Remove(key);
                return Task.CompletedTask;
            }

            var position = Reserve((int)length);
            CacheRecord.WriteEntry(Bytes(position, (int)length), key, expiresAtMs, tags, entry, dataLength);
            _index[key] = position;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<long> PurgeAsync(string? orgId, string? route, string? fingerprint, CancellationToken cancellationToken)
    {
        var org = orgId is null ? null : Encoding.UTF8.GetBytes(orgId);
        var onRoute = route is null ? null : Encoding.UTF8.GetBytes(route);
        var nowMs = NowMs();
        long removed = 0;
        lock (_lock)
        {
            if (fingerprint is not null)
            {
                if (FingerprintKey.TryParse(fingerprint, out var key) && _index.TryGetValue(key, out var position)
                    && Drop(key, RecordAt(position), org, onRoute, nowMs))
                {
                    removed = 1;
                }
            }
            else if (org is not null || onRoute is not null)
            {
                // An admin operation: every record's header is read, O(ring).
                for (var position = _tail; position < _head;)
                {
                    var record = RecordAt(position);
                    if (record.IsEntry && _index.TryGetValue(record.Key, out var live) && live == position
                        && Drop(record.Key, record, org, onRoute, nowMs))
                    {
                        removed++;
                    }

                    position += record.Length;
                }
            }
        }

        return Task.FromResult(removed);
    }

    /// <summary>Parses an entry read for the second time into an object of its own and keeps it for the next hits.</summary>
    private CachedResponse? KeepHot(FingerprintKey key, long position, byte[] data)
    {
        var entry = CachedResponseSerializer.Deserialize(data, null);
        if (entry is null)
        {
            return null;
        }

        if (_hotBytes + data.Length > _hotLimitBytes)
        {
            _hot.Clear();
            _hotBytes = 0;
        }

        ForgetHot(key);
        _hot[key] = new HotCopy(position, entry, data.Length);
        _hotBytes += data.Length;
        return entry;
    }

    private void ForgetHot(FingerprintKey key)
    {
        if (_hot.Count > 0 && _hot.Remove(key, out var stale))
        {
            _hotBytes -= stale.Bytes;
        }
    }

    /// <summary>Removes the record's entry from the index when it matches the filters; true when it had not expired.</summary>
    private bool Drop(FingerprintKey key, CacheRecord record, byte[]? org, byte[]? route, long nowMs)
    {
        if ((org is not null && !record.Org.SequenceEqual(org)) || (route is not null && (!record.HasRoute || !record.Route.SequenceEqual(route))))
        {
            return false;
        }

        _index.Remove(key);
        return record.ExpiresAtMs > nowMs;
    }

    /// <summary>Makes room for a record at the head (after padding out a segment too short for it) and returns its position.</summary>
    private long Reserve(int length)
    {
        var start = _head;
        var left = _segmentBytes - (int)(start % _capacity % _segmentBytes);
        if (left < length)
        {
            // Positions are 8-aligned, so what is left is room for a padding record.
            Evict(start + left);
            CacheRecord.WritePadding(Bytes(start, CacheRecord.MinBytes), left);
            start += left;
        }

        Evict(start + length);
        _head = start + length;
        return start;
    }

    /// <summary>Forgets the oldest records until the ring has room up to <paramref name="end"/>.</summary>
    private void Evict(long end)
    {
        while (end - _tail > _capacity)
        {
            var record = RecordAt(_tail);
            // The index may already point at a newer record of the same fingerprint: that one stays.
            if (record.IsEntry && _index.TryGetValue(record.Key, out var position) && position == _tail)
            {
                _index.Remove(record.Key);
            }

            _tail += record.Length;
        }
    }

    private CacheRecord RecordAt(long position)
    {
        var header = Bytes(position, CacheRecord.MinBytes);
        var record = new CacheRecord(header);
        return record.IsEntry ? new CacheRecord(Bytes(position, record.Length)) : record;
    }

    private Span<byte> Bytes(long position, int length)
    {
        var offset = position % _capacity;
        // Pages of an uninitialized array are committed by the OS only as they are first written.
        var segment = _segments[offset / _segmentBytes] ??= GC.AllocateUninitializedArray<byte>(_segmentBytes);
        return segment.AsSpan((int)(offset % _segmentBytes), length);
    }

    private long NowMs() => (long)_time.GetElapsedTime(0).TotalMilliseconds;

    private readonly record struct HotCopy(long Position, CachedResponse Entry, int Bytes);

    /// <summary>A hit's copy of its record, rented from the pool and returned when the entry is disposed.</summary>
    private sealed class PooledCopy(byte[] array) : IDisposable
    {
        public void Dispose() => ArrayPool<byte>.Shared.Return(array);
    }
}
