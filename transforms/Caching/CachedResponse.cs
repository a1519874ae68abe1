using System.Runtime.InteropServices;
using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// A stored answer: status, the upstream headers worth replaying, and the JSON body or the SSE events as received.
/// Entries read from a store borrow pooled memory: dispose them once written.
/// </summary>
public sealed class CachedResponse : IDisposable
{
    private IDisposable? _owner;
    private TokenUsage? _usage;
    private int _usageRead;

    /// <summary>Creates an entry.</summary>
    public CachedResponse(int statusCode, KeyValuePair<string, string>[] headers, ReadOnlyMemory<byte> payload, int[]? eventEnds, int usageEventIndex, long createdAtUnixMs, string responseId, IDisposable? owner = null, long expiresAtUnixMs = 0)
    {
        ExpiresAtUnixMs = expiresAtUnixMs;
        ResponseId = responseId;
        StatusCode = statusCode;
        Headers = headers;
        Payload = payload;
        EventEnds = eventEnds;
        UsageEventIndex = usageEventIndex;
        CreatedAtUnixMs = createdAtUnixMs;
        _owner = owner;
    }

    /// <summary>The id of the answer this entry was made from; its SSE event ids use it, so a replay can be resumed.</summary>
    public string ResponseId { get; }

    /// <summary>The upstream status (always 2xx).</summary>
    public int StatusCode { get; }

    /// <summary>The upstream headers replayed on a hit (<see cref="ReplayedHeaders"/>).</summary>
    public KeyValuePair<string, string>[] Headers { get; }

    /// <summary>The JSON body, or all SSE events back to back.</summary>
    public ReadOnlyMemory<byte> Payload { get; }

    /// <summary>For a stream, the end offset of each event in <see cref="Payload"/>; null for a JSON body.</summary>
    public int[]? EventEnds { get; }

    /// <summary>The index of the chat usage chunk among the events, or -1.</summary>
    public int UsageEventIndex { get; }

    /// <summary>When the upstream answered, in Unix milliseconds.</summary>
    public long CreatedAtUnixMs { get; }

    /// <summary>When the store lets the entry go, in Unix milliseconds, as written with it (0 when not known).</summary>
    public long ExpiresAtUnixMs { get; }

    /// <summary>Whether this is an SSE stream.</summary>
    public bool IsStream => EventEnds is not null;

    /// <summary>The usage the answer recorded, read from the payload once per entry object (a near copy answers many hits).</summary>
    internal TokenUsage? Usage
    {
        get
        {
            // Concurrent first readers both parse and write the same value; the flag is published after it.
            if (Volatile.Read(ref _usageRead) == 0)
            {
                _usage = ReadUsage();
                Volatile.Write(ref _usageRead, 1);
            }

            return _usage;
        }
    }

    // The body's usage, or the usage chunk's (or, without one, the terminal event's): UsageReader knows every endpoint's names.
    private TokenUsage? ReadUsage()
    {
        if (!IsStream)
        {
            return UsageReader.TryReadBody(Payload.Span, out var bodyUsage) ? bodyUsage : null;
        }

        var ends = EventEnds!;
        var index = UsageEventIndex >= 0 ? UsageEventIndex : ends.Length - 1;
        if (index < 0)
        {
            return null;
        }

        var start = index == 0 ? 0 : ends[index - 1];
        return UsageReader.TryReadStreamEvent(Payload.Span[start..ends[index]], out var usage) ? usage : null;
    }

    /// <summary>Approximate memory held as an object, for the near cache's byte bound.</summary>
    public long SizeBytes
    {
        get
        {
            // Besides its bytes, a near copy costs the copy object, its key string and a dictionary node.
            // A payload shared with its live answer can be the start of a larger array, all of which the entry keeps.
            var payload = MemoryMarshal.TryGetArray(Payload, out var shared) ? shared.Array!.Length : Payload.Length;
            long size = 800 + payload + (EventEnds?.Length * 4 ?? 0);
            foreach (var header in Headers)
            {
                size += 32 + ((header.Key.Length + header.Value.Length) * 2);
            }

            return size;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _owner?.Dispose();
        _owner = null;
    }
}
