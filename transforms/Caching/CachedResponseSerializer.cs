using System.Buffers.Binary;
using System.Text;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The compact binary form of a <see cref="CachedResponse"/> in Redis and in the in-process ring:
/// <code>version:u8=3 | status:u16 | created:i64 | expires:i64 (0 unknown) | usageEvent:i32 | responseIdLen:u16 responseId | headerCount:u16 | (nameLen:u16 name valueLen:u16 value)* |
/// eventCount:i32 (-1 for JSON) | eventEnd:i32* | payload (rest)</code>
/// little-endian, strings UTF-8. The payload is last so a hit writes it straight from the read buffer.
/// </summary>
internal static class CachedResponseSerializer
{
    private const byte Version = 3;

    /// <summary>Serializes an entry, stamped with when its store lets it go (<paramref name="expiresAtUnixMs"/>, 0 when not known).</summary>
    public static byte[] Serialize(CachedResponse entry, long expiresAtUnixMs = 0)
    {
        var bytes = new byte[Measure(entry)];
        Write(entry, bytes, expiresAtUnixMs);
        return bytes;
    }

    /// <summary>The length of the serialized entry: the room <see cref="Write"/> needs.</summary>
    public static int Measure(CachedResponse entry)
    {
        var length = 23 + 2 + Encoding.UTF8.GetByteCount(entry.ResponseId) + 2;
        foreach (var header in entry.Headers)
        {
            length += 4 + Encoding.UTF8.GetByteCount(header.Key) + Encoding.UTF8.GetByteCount(header.Value);
        }

        return length + 4 + ((entry.EventEnds?.Length ?? 0) * 4) + entry.Payload.Length;
    }

    /// <summary>Serializes an entry into <paramref name="destination"/>, which is exactly <see cref="Measure"/> long.</summary>
    public static void Write(CachedResponse entry, Span<byte> destination, long expiresAtUnixMs = 0)
    {
        destination[0] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)entry.StatusCode);
        BinaryPrimitives.WriteInt64LittleEndian(destination[3..], entry.CreatedAtUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(destination[11..], expiresAtUnixMs);
        BinaryPrimitives.WriteInt32LittleEndian(destination[19..], entry.UsageEventIndex);
        var position = 23;
        WriteString(destination, ref position, entry.ResponseId);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[position..], (ushort)entry.Headers.Length);
        position += 2;
        foreach (var header in entry.Headers)
        {
            WriteString(destination, ref position, header.Key);
            WriteString(destination, ref position, header.Value);
        }

        var events = entry.EventEnds;
        BinaryPrimitives.WriteInt32LittleEndian(destination[position..], events?.Length ?? -1);
        position += 4;
        foreach (var end in events ?? [])
        {
            BinaryPrimitives.WriteInt32LittleEndian(destination[position..], end);
            position += 4;
        }

        entry.Payload.Span.CopyTo(destination[position..]);
    }

    /// <summary>Reads an entry whose payload stays in <paramref name="data"/>; <paramref name="owner"/> is disposed with the entry.</summary>
    public static CachedResponse? Deserialize(ReadOnlyMemory<byte> data, IDisposable? owner)
    {
        var span = data.Span;
        if (span.Length < 25 || span[0] != Version)
        {
            // Written by another version of the gateway: a miss, and the entry is overwritten by this one.
            owner?.Dispose();
            return null;
        }

        var status = BinaryPrimitives.ReadUInt16LittleEndian(span[1..]);
        var created = BinaryPrimitives.ReadInt64LittleEndian(span[3..]);
        var expires = BinaryPrimitives.ReadInt64LittleEndian(span[11..]);
        var usageEvent = BinaryPrimitives.ReadInt32LittleEndian(span[19..]);
        var position = 23;
        var responseId = ReadString(span, ref position);
        var headers = new KeyValuePair<string, string>[BinaryPrimitives.ReadUInt16LittleEndian(span[position..])];
        position += 2;
        for (var i = 0; i < headers.Length; i++)
        {
            headers[i] = new(ReadString(span, ref position), ReadString(span, ref position));
        }

        var eventCount = BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
        position += 4;
        int[]? eventEnds = null;
        if (eventCount >= 0)
        {
            eventEnds = new int[eventCount];
            for (var i = 0; i < eventCount; i++, position += 4)
            {
                eventEnds[i] = BinaryPrimitives.ReadInt32LittleEndian(span[position..]);
            }
        }

        return new CachedResponse(status, headers, data[position..], eventEnds, usageEvent, created, responseId, owner, expires);
    }

    private static void WriteString(Span<byte> destination, ref int position, string value)
    {
        var length = Encoding.UTF8.GetBytes(value, destination[(position + 2)..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[position..], (ushort)length);
        position += 2 + length;
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int position)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
        var value = Encoding.UTF8.GetString(span.Slice(position + 2, length));
        position += 2 + length;
        return value;
    }
}
