using System.Buffers;
using System.Text;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The entries of a live answer's Redis Stream, field <c>k</c> naming the kind:
/// <c>start</c> (<c>s</c> status, <c>es</c> 1 for SSE, <c>rid</c> response id, <c>h</c> headers as name LF value LF …),
/// <c>ev</c> (<c>d</c> one SSE event, <c>u</c> 1 for the usage chunk, <c>t</c> 1 for the terminal event), <c>body</c> (<c>d</c> the whole non-stream body),
/// <c>done</c> (the stream is complete), <c>fail</c> (<c>s</c>, <c>d</c> error body, <c>fe</c> failure event, <c>c</c> 1 when cancelled).
/// </summary>
internal static class RedisLiveEntries
{
    /// <summary>The start entry.</summary>
    public static NameValueEntry[] Start(LiveResponse live)
    {
        var headers = new StringBuilder();
        foreach (var header in live.Headers)
        {
            headers.Append(header.Key).Append('\n').Append(header.Value).Append('\n');
        }

        return [new("k", "start"), new("s", live.StatusCode), new("es", live.IsEventStream ? 1 : 0), new("rid", live.ResponseId), new("h", headers.ToString())];
    }

    /// <summary>An event entry.</summary>
    public static NameValueEntry[] Event(ReadOnlyMemory<byte> sseEvent, bool isUsageChunk, bool isTerminal) =>
        [new("k", "ev"), new("d", sseEvent), new("u", isUsageChunk ? 1 : 0), new("t", isTerminal ? 1 : 0)];

    /// <summary>The end entry of a completed answer.</summary>
    public static NameValueEntry[] End(LiveResponse live) =>
        live.IsEventStream ? [new("k", "done")] : [new("k", "body"), new("d", live.Body.ToArray())];

    /// <summary>The end entry of a failed answer.</summary>
    public static NameValueEntry[] Failure(LiveResponse live) =>
        [new("k", "fail"), new("s", live.StatusCode), new("d", live.Body.ToArray()), new("fe", live.FailureEvent.ToArray()), new("c", live.FailedByCancellation ? 1 : 0)];

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
        if (local.State == LiveState.Waiting && kind is "ev" or "body" or "done")
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
            case "body":
                local.CompleteBody((byte[])entry["d"]!);
                return null;
            case "done":
                local.CompleteStream();
                return null;
            case "fail":
                local.Fail((int)entry["s"], (byte[])entry["d"]!, (byte[])entry["fe"]!, (int)entry["c"] == 1);
                return null;
            default:
                return null;
        }
    }
}
