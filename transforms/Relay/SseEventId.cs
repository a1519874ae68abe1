using System.Buffers;
using System.Globalization;
using System.Text;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// The <c>id:</c> line the gateway puts first in every SSE event it sends: <c>id: &lt;response id&gt;:&lt;position&gt;</c>,
/// where the position counts the answer's events from 0. A client resumes with <c>Last-Event-ID</c> set to it.
/// </summary>
public static class SseEventId
{
    /// <summary>Writes event <paramref name="position"/> of <paramref name="responseId"/>, id line first, to <paramref name="output"/>.</summary>
    public static void WriteEvent(IBufferWriter<byte> output, string responseId, int position, ReadOnlySpan<byte> sseEvent)
    {
        // Sized for the id line plus the event, so Kestrel frames the whole event as one chunk.
        var span = output.GetSpan(16 + responseId.Length + 11 + sseEvent.Length);
        "id: "u8.CopyTo(span);
        var length = 4 + Encoding.ASCII.GetBytes(responseId, span[4..]);
        span[length++] = (byte)':';
        position.TryFormat(span[length..], out var digits, provider: CultureInfo.InvariantCulture);
        length += digits;
        span[length++] = (byte)'\n';
        sseEvent.CopyTo(span[length..]);
        output.Advance(length + sseEvent.Length);
    }

    /// <summary>Parses a <c>Last-Event-ID</c>; false when it is not one of ours.</summary>
    /// <remarks>
    /// A resume starts at <paramref name="position"/> + 1, so <see cref="int.MaxValue"/> is refused: it would wrap to
    /// <see cref="int.MinValue"/> and replay the whole answer. No answer has that many events, so no real id is lost.
    /// </remarks>
    public static bool TryParse(string? lastEventId, out string responseId, out int position)
    {
        responseId = "";
        position = -1;
        var colon = lastEventId?.LastIndexOf(':') ?? -1;
        if (colon <= 0
            || !int.TryParse(lastEventId.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out position)
            || position == int.MaxValue)
        {
            position = -1;
            return false;
        }

        responseId = lastEventId![..colon];
        return true;
    }

    /// <summary>A new random response id (16 hex chars).</summary>
    /// <remarks>
    /// An id only tells apart the answers of one fingerprint, and resuming needs the same request (the same org) besides
    /// it, so it is no secret: 64 bits of <see cref="Random.Shared"/> (securely seeded, per thread) keep ids apart. The
    /// secure generator (OpenSSL's DRBG: an AES key set up per call, about 1 µs) was 1.4% of an uncached call's CPU samples.
    /// </remarks>
    public static string NewResponseId()
    {
        Span<byte> random = stackalloc byte[8];
        Random.Shared.NextBytes(random);
        return Convert.ToHexStringLower(random);
    }
}
