using System.Buffers.Binary;
using System.Text;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// One record of the in-process ring (<see cref="MemoryResponseCacheStore"/>), read in place:
/// <code>length:i32 | kind:i32 (0 padding, 1 entry; +0x100 once the entry has been read) | fingerprint:32 bytes | expires:i64 (ms on the store's clock) |
/// dataLength:i32 | orgLength:u16 | routeLength:u16 (0xFFFF: no route) | org | route | entry (CachedResponseSerializer)</code>
/// little-endian, org and route UTF-8 (for purges), the whole padded to 8 bytes. A padding record is its first 8 bytes
/// and fills the rest of a segment.
/// </summary>
internal readonly ref struct CacheRecord(Span<byte> bytes)
{
    /// <summary>The fixed part before org, route and entry.</summary>
    public const int HeaderBytes = 56;

    /// <summary>The least a record takes: a padding record's length and kind.</summary>
    public const int MinBytes = 8;

    private const int PaddingKind = 0;
    private const int EntryKind = 1;
    private const int ReadFlag = 0x100;
    private const ushort NoRoute = ushort.MaxValue;

    private readonly Span<byte> _bytes = bytes;

    /// <summary>The record's length with its padding.</summary>
    public int Length => BinaryPrimitives.ReadInt32LittleEndian(_bytes);

    /// <summary>Whether this is an entry rather than padding.</summary>
    public bool IsEntry => (Kind & ~ReadFlag) == EntryKind;

    /// <summary>The entry's fingerprint.</summary>
    public FingerprintKey Key => FingerprintKey.Read(_bytes[8..]);

    /// <summary>When the entry expires, in milliseconds on the store's clock.</summary>
    public long ExpiresAtMs => BinaryPrimitives.ReadInt64LittleEndian(_bytes[40..]);

    /// <summary>The org that stored the entry, UTF-8.</summary>
    public ReadOnlySpan<byte> Org => _bytes.Slice(HeaderBytes, OrgLength);

    /// <summary>Whether the entry was made on a route.</summary>
    public bool HasRoute => RouteLength != NoRoute;

    /// <summary>The route, UTF-8 (empty without one).</summary>
    public ReadOnlySpan<byte> Route => HasRoute ? _bytes.Slice(HeaderBytes + OrgLength, RouteLength) : default;

    /// <summary>The serialized entry.</summary>
    public ReadOnlySpan<byte> Data => _bytes.Slice(HeaderBytes + OrgLength + (HasRoute ? RouteLength : 0), DataLength);

    private int Kind => BinaryPrimitives.ReadInt32LittleEndian(_bytes[4..]);

    private int DataLength => BinaryPrimitives.ReadInt32LittleEndian(_bytes[48..]);

    private ushort OrgLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[52..]);

    private ushort RouteLength => BinaryPrimitives.ReadUInt16LittleEndian(_bytes[54..]);

    /// <summary>Notes that the entry has been read; returns whether it had been read before.</summary>
    public bool MarkRead()
    {
        var kind = Kind;
        BinaryPrimitives.WriteInt32LittleEndian(_bytes[4..], kind | ReadFlag);
        return (kind & ReadFlag) != 0;
    }

    /// <summary>The room a record needs, or -1 when org or route are too long to record.</summary>
    public static long Measure(CacheTags tags, int dataLength)
    {
        var org = Encoding.UTF8.GetByteCount(tags.OrgId);
        var route = tags.Route is null ? 0 : Encoding.UTF8.GetByteCount(tags.Route);
        return org >= NoRoute || route >= NoRoute ? -1 : (HeaderBytes + org + route + (long)dataLength + 7) & ~7L;
    }

    /// <summary>Writes an entry's record into <paramref name="destination"/>, <see cref="Measure"/> long.</summary>
    public static void WriteEntry(Span<byte> destination, FingerprintKey key, long expiresAtMs, CacheTags tags, CachedResponse entry, int dataLength)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, destination.Length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], EntryKind);
        key.Write(destination[8..]);
        BinaryPrimitives.WriteInt64LittleEndian(destination[40..], expiresAtMs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[48..], dataLength);
        var position = HeaderBytes;
        var org = Encoding.UTF8.GetBytes(tags.OrgId, destination[position..]);
        position += org;
        var route = tags.Route is null ? NoRoute : (ushort)Encoding.UTF8.GetBytes(tags.Route, destination[position..]);
        position += tags.Route is null ? 0 : route;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[52..], (ushort)org);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[54..], route);
        CachedResponseSerializer.Write(entry, destination.Slice(position, dataLength));
    }

    /// <summary>Marks <paramref name="length"/> bytes from the start of <paramref name="destination"/> as padding.</summary>
    public static void WritePadding(Span<byte> destination, int length)
    {
        BinaryPrimitives.WriteInt32LittleEndian(destination, length);
        BinaryPrimitives.WriteInt32LittleEndian(destination[4..], PaddingKind);
    }
}
