using AiGateway.Transforms.Dedupe;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Turns a completed 2xx <see cref="LiveResponse"/> into a cache entry and stores it; the pumps call it before they
/// mark the answer complete, so no client sees the end before the entry exists. Answers over the size limit are
/// relayed but not stored; store failures cost the entry, never the answer.
/// </summary>
internal sealed class ResponseCapture(IResponseCacheStore store, string fingerprint, CacheTags tags, TimeSpan ttl, int limit, TimeProvider time)
{
    /// <summary>Stores a completed stream.</summary>
    public Task CommitAsync(LiveResponse live)
    {
        if (live.TotalBytes > limit)
        {
            return Task.CompletedTask;
        }

        var payload = new byte[live.TotalBytes];
        var ends = new int[live.EventCount];
        var length = 0;
        for (var i = 0; i < ends.Length; i++)
        {
            var sseEvent = live.Event(i);
            sseEvent.CopyTo(payload, length);
            length += sseEvent.Length;
            ends[i] = length;
        }

        return StoreAsync(live, payload, ends, live.UsageEventIndex);
    }

    /// <summary>Stores a non-stream answer's body.</summary>
    public Task CommitAsync(LiveResponse live, byte[] body) =>
        body.Length > limit ? Task.CompletedTask : StoreAsync(live, body, null, -1);

    private async Task StoreAsync(LiveResponse live, byte[] payload, int[]? eventEnds, int usageEventIndex)
    {
        var entry = new CachedResponse(live.StatusCode, ReplayedHeaders.From(live.Headers), payload, eventEnds, usageEventIndex,
            time.GetUtcNow().ToUnixTimeMilliseconds(), live.ResponseId);
        try
        {
            await store.SetAsync(fingerprint, tags, entry, ttl, CancellationToken.None);
            live.Cached = true;
        }
        catch (Exception)
        {
            // The stores already turn their own failures into skipped writes; this guards the answer against anything else.
        }
    }
}
