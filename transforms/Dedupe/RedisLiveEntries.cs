using System.Buffers;
using System.Buffers.Text;
using System.Text;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The entries of a live answer's Redis Stream, field <c>k</c> naming the kind:
/// <c>start</c> (<c>s</c> status, <c>es</c> 1 for SSE, <c>rid</c> response id, <c>h</c> headers as name LF value LF …),
/// <c>ev</c> (<c>d</c> one SSE event, <c>u</c> 1 for the usage chunk, <c>t</c> 1 for the terminal event),
/// <c>evs</c> (several events that were ready at once: <c>d</c> the events back to back, <c>e</c> where each ends in
/// <c>d</c> as ASCII decimals joined by commas, <c>u</c> the index among them of the usage chunk or -1, <c>t</c> that of
/// the terminal event or -1), <c>body</c> (<c>d</c> the whole non-stream body),
/// <c>done</c> (the stream is complete), <c>fail</c> (<c>s</c>, <c>d</c> error body, <c>fe</c> failure event, <c>c</c> 1 when
/// cancelled, <c>oc</c> 1 when an operator cancelled the call).
/// </summary>
internal static class RedisLiveEntries
{
    /// <summary>The start entry.</summary>
    public static NameValueEntry[] Start(LiveResponse live)
    {
        return [new("k", "start"), new("s", live.StatusCode), new("es", live.IsEventStream ? 1 : 0), new("rid", live.ResponseId), new("h", HeaderLines(live.Headers))];
    }

    // UTF-8 at its exact length in one go, as Redis stores it: half the size of the UTF-16 string it once was.
    private static byte[] HeaderLines(KeyValuePair<string, string>[] headers)
    {
        var length = 0;
        foreach (var header in headers)
        {
            length += Encoding.UTF8.GetByteCount(header.Key) + Encoding.UTF8.GetByteCount(header.Value) + 2;
        }

        var lines = new byte[length];
        var at = 0;
        foreach (var header in headers)
        {
            at += Encoding.UTF8.GetBytes(header.Key, lines.AsSpan(at));
            lines[at++] = (byte)'\n';
            at += Encoding.UTF8.GetBytes(header.Value, lines.AsSpan(at));
            lines[at++] = (byte)'\n';
        }

        return lines;
    }

    /// <summary>An event entry.</summary>
    public static NameValueEntry[] Event(ReadOnlyMemory<byte> sseEvent, bool isUsageChunk, bool isTerminal) =>
        [new("k", "ev"), new("d", sseEvent), new("u", isUsageChunk ? 1 : 0), new("t", isTerminal ? 1 : 0)];

    /// <summary>One entry of events <paramref name="first"/> to <paramref name="first"/> + <paramref name="count"/> - 1 (below <see cref="LiveResponse.EventCount"/>, read first).</summary>
    public static NameValueEntry[] Events(LiveResponse live, int first, int count)
    {
        var usage = live.UsageEventIndex;
        var terminal = live.TerminalEventIndex;
        if (count == 1)
        {
            return Event(live.Event(first), first == usage, first == terminal);
        }

        var ends = live.EventEnds(first + count);
        var from = first == 0 ? 0 : ends[first - 1];
        // At most 11 characters per end (10 digits and a comma).
        Span<byte> text = count <= 256 ? stackalloc byte[count * 11] : new byte[count * 11];
        var length = 0;
        for (var i = first; i < first + count; i++)
        {
            if (i > first)
            {
                text[length++] = (byte)',';
            }

            Utf8Formatter.TryFormat(ends[i] - from, text[length..], out var written);
            length += written;
        }

        return
        [
            new("k", "evs"), new("d", live.Events(first + count)[from..]), new("e", text[..length].ToArray()),
            new("u", usage >= first && usage < first + count ? usage - first : -1),
            new("t", terminal >= first && terminal < first + count ? terminal - first : -1),
        ];
    }

    /// <summary>The end entry of a completed answer (<paramref name="body"/>: the whole body of a non-stream one).</summary>
    public static NameValueEntry[] End(bool isEventStream, ReadOnlyMemory<byte> body) =>
        isEventStream ? [new("k", "done")] : [new("k", "body"), new("d", body)];

    /// <summary>The end entry of a failed answer.</summary>
    public static NameValueEntry[] Failure(LiveResponse live) =>
        [new("k", "fail"), new("s", live.StatusCode), new("d", live.Body.ToArray()), new("fe", live.FailureEvent.ToArray()), new("c", live.FailedByCancellation ? 1 : 0),
            new("oc", live.CancelledByOperator ? 1 : 0)];

    /// <summary>Whether the log of an answer holds its end entry (done, body or fail).</summary>
    public static async Task<bool> HasEndedAsync(IDatabase database, string fingerprint, string responseId)
    {
        var last = await database.StreamRangeAsync(RedisLiveKeys.Log(fingerprint, responseId), "-", "+", count: 1, messageOrder: Order.Descending);
        return last.Length == 1 && (string?)last[0]["k"] is "done" or "body" or "fail";
    }

    /// <summary>Applies one entry to a local copy of the answer; returns the response id of a start entry, else null.</summary>
    public static string? Apply(StreamEntry entry, LiveResponse local)
    {
        var kind = (string?)entry["k"];
        if (local.State == LiveState.Waiting && kind is "ev" or "evs" or "body" or "done")
        {
            // The log lacks its start: treat the answer as lost, so its clients lead a fresh call instead.
            local.Fail(0, default, default, byCancellation: true);
            return null;
        }

        switch (kind)
        {
            case "start":
                var headers = new List<KeyValuePair<string, string>>();
                var lines = ((string?)entry["h"] ?? "").Split('\n');
                for (var i = 0; i + 1 < lines.Length; i += 2)
                {
                    headers.Add(new(lines[i], lines[i + 1]));
                }

                local.Start((int)entry["s"], headers.ToArray(), (int)entry["es"] == 1);
                return entry["rid"];
            case "ev":
                local.Append(new ReadOnlySequence<byte>((byte[])entry["d"]!), (int)entry["u"] == 1, (int?)entry["t"] == 1);
                return null;
            case "evs":
                AppendEvents(entry, local);
                return null;
            case "body":
                local.CompleteBody((byte[])entry["d"]!);
                return null;
            case "done":
                local.CompleteStream();
                return null;
            case "fail":
                local.Fail((int)entry["s"], (byte[])entry["d"]!, (byte[])entry["fe"]!, (int)entry["c"] == 1, cancelledByOperator: (int?)entry["oc"] == 1);
                return null;
            default:
                return null;
        }
    }

    /// <summary>Appends the events of an <c>evs</c> entry in order.</summary>
    private static void AppendEvents(StreamEntry entry, LiveResponse local)
    {
        var events = (ReadOnlyMemory<byte>)entry["d"];
        var ends = ((ReadOnlyMemory<byte>)entry["e"]).Span;
        var usage = (int)entry["u"];
        var terminal = (int)entry["t"];
        var from = 0;
        for (var index = 0; !ends.IsEmpty; index++)
        {
            if (!Utf8Parser.TryParse(ends, out int end, out var consumed) || end < from || end > events.Length)
            {
                throw new FormatException("An evs entry of the live log has malformed event ends.");
            }

            ends = ends[consumed..];
            if (!ends.IsEmpty)
            {
                if (ends[0] != (byte)',')
                {
                    throw new FormatException("An evs entry of the live log has malformed event ends.");
                }

                ends = ends[1..];
            }

            local.Append(new ReadOnlySequence<byte>(events[from..end]), index == usage, index == terminal);
            from = end;
        }
    }
}
