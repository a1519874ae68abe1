using System.Buffers;

namespace AiGateway.Transforms.Relay;

/// <summary>Splits a byte stream into complete SSE events, each ended by a blank line (WHATWG HTML §9.2.6).</summary>
internal static class SseEventScanner
{
    /// <summary>
    /// Takes the next complete event, blank line included, off the front of <paramref name="buffer"/>;
    /// false when the buffer holds no complete event yet.
    /// </summary>
    public static bool TryReadEvent(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> sseEvent)
    {
        var reader = new SequenceReader<byte>(buffer);
        while (reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\n'))
        {
            if (line.Length == 0 || (line.Length == 1 && line.FirstSpan[0] == (byte)'\r'))
            {
                sseEvent = buffer.Slice(0, reader.Position);
                buffer = buffer.Slice(reader.Position);
                return true;
            }
        }

        sseEvent = default;
        return false;
    }
}
