using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Records an answer while it flows to the client (as aspnetcore's OutputCacheStream does: the client first, a copy
/// into a pooled buffer second), and commits it to the store once complete. Past the size limit it stops copying,
/// never streaming.
/// </summary>
internal sealed class ResponseCapture(IResponseCacheStore store, string fingerprint, CacheTags tags, TimeSpan ttl, int limit, TimeProvider time) : IDisposable
{
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(limit, 16 * 1024));
    private int _length;
    private List<int>? _eventEnds;
    private int _usageEventIndex = -1;

    /// <summary>Whether the answer grew past the limit and will not be stored.</summary>
    public bool Overflowed { get; private set; }

    /// <summary>Appends one complete SSE event.</summary>
    public void AddEvent(ReadOnlySequence<byte> sseEvent, bool isUsageChunk)
    {
        if (!TryAppend(sseEvent))
        {
            return;
        }

        _eventEnds ??= new List<int>(64);
        if (isUsageChunk)
        {
            _usageEventIndex = _eventEnds.Count;
        }

        _eventEnds.Add(_length);
    }

    /// <summary>Sets the whole JSON body.</summary>
    public void SetBody(ReadOnlySpan<byte> body)
    {
        if (MakeRoom(body.Length))
        {
            body.CopyTo(_buffer.AsSpan(_length));
            _length += body.Length;
        }
    }

    /// <summary>Stores the recorded answer with the replayable headers of <paramref name="response"/>; store failures are swallowed.</summary>
    public async Task CommitAsync(HttpResponse response)
    {
        if (Overflowed || response.StatusCode is < 200 or > 299)
        {
            return;
        }

        var entry = new CachedResponse(response.StatusCode, ReplayedHeaders.From(response.Headers), _buffer.AsSpan(0, _length).ToArray(),
            _eventEnds?.ToArray(), _usageEventIndex, time.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            await store.SetAsync(fingerprint, tags, entry, ttl, CancellationToken.None);
        }
        catch (Exception)
        {
            // A store that fails costs the cache entry, never the answer the client is getting.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private bool TryAppend(ReadOnlySequence<byte> data)
    {
        if (!MakeRoom(data.Length))
        {
            return false;
        }

        data.CopyTo(_buffer.AsSpan(_length));
        _length += (int)data.Length;
        return true;
    }

    private bool MakeRoom(long more)
    {
        if (Overflowed || _length + more > limit)
        {
            Overflowed = true;
            return false;
        }

        if (_length + more > _buffer.Length)
        {
            var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min(limit, Math.Max(_buffer.Length * 2L, _length + more)));
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        return true;
    }
}
