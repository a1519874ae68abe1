using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The compact binary form of a <see cref="CachedResponse"/> in Redis:
/// <code>version:u8=2 | status:u16 | created:i64 | usageEvent:i32 | responseIdLen:u16 responseId | headerCount:u16 | (nameLen:u16 name valueLen:u16 value)* |
/// eventCount:i32 (-1 for JSON) | eventEnd:i32* | payload (rest)</code>
/// little-endian, strings UTF-8. The payload is last so a hit writes it straight from the read buffer.
/// </summary>
internal static class CachedResponseSerializer
{
    private const byte Version = 2;

    /// <summary>Serializes an entry.</summary>
    public static byte[] Serialize(CachedResponse entry)
    {
        var buffer = new ArrayBufferWriter<byte>(entry.Payload.Length + 512);
        var head = buffer.GetSpan(15);
        head[0] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(head[1..], (ushort)entry.StatusCode);
        BinaryPrimitives.WriteInt64LittleEndian(head[3..], entry.CreatedAtUnixMs);
        BinaryPrimitives.WriteInt32LittleEndian(head[11..], entry.UsageEventIndex);
        buffer.Advance(15);
        WriteString(buffer, entry.ResponseId);
        BinaryPrimitives.WriteUInt16LittleEndian(buffer.GetSpan(2), (ushort)entry.Headers.Length);
        buffer.Advance(2);
        foreach (var header in entry.Headers)
        {
            WriteString(buffer, header.Key);
            WriteString(buffer, header.Value);
        }

        var events = entry.EventEnds;
        var count = buffer.GetSpan(4 + ((events?.Length ?? 0) * 4));
        BinaryPrimitives.WriteInt32LittleEndian(count, events?.Length ?? -1);
        for (var i = 0; i < (events?.Length ?? 0); i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(count[(4 + (i * 4))..], events![i]);
        }

        buffer.Advance(4 + ((events?.Length ?? 0) * 4));
        buffer.Write(entry.Payload.Span);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads an entry whose payload stays in <paramref name="data"/>; <paramref name="owner"/> is disposed with the entry.</summary>
    public static CachedResponse? Deserialize(ReadOnlyMemory<byte> data, IDisposable? owner)
    {
        var span = data.Span;
        if (span.Length < 17 || span[0] != Version)
        {
            // Written by another version of the gateway: a miss, and the entry is overwritten by this one.
            owner?.Dispose();
            return null;
        }

        var status = BinaryPrimitives.ReadUInt16LittleEndian(span[1..]);
        var created = BinaryPrimitives.ReadInt64LittleEndian(span[3..]);
        var usageEvent = BinaryPrimitives.ReadInt32LittleEndian(span[11..]);
        var position = 15;
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

        return new CachedResponse(status, headers, data[position..], eventEnds, usageEvent, created, responseId, owner);
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        var span = buffer.GetSpan(2 + length);
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)length);
        Encoding.UTF8.GetBytes(value, span[2..]);
        buffer.Advance(2 + length);
    }

    private static string ReadString(ReadOnlySpan<byte> span, ref int position)
    {
        var length = BinaryPrimitives.ReadUInt16LittleEndian(span[position..]);
        var value = Encoding.UTF8.GetString(span.Slice(position + 2, length));
        position += 2 + length;
        return value;
    }
}
