using AiGateway.Transforms.Relay;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Turns a completed 2xx <see cref="LiveResponse"/> into a cache entry and stores it; the pumps call it before they
/// mark the answer complete, so no client sees the end before the entry exists. Answers over the size limit are
/// relayed but not stored; store failures cost the entry, never the answer.
/// The entry shares the live answer's bytes rather than copying them: neither ever writes to them again.
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

        var count = live.EventCount;
        return StoreAsync(live, live.Events(count), live.EventEnds(count).ToArray(), live.UsageEventIndex);
    }

    /// <summary>Stores a non-stream answer's body.</summary>
    public Task CommitAsync(LiveResponse live, ReadOnlyMemory<byte> body) =>
        body.Length > limit ? Task.CompletedTask : StoreAsync(live, body, null, -1);

    private async Task StoreAsync(LiveResponse live, ReadOnlyMemory<byte> payload, int[]? eventEnds, int usageEventIndex)
    {
        var headers = live.UpstreamHeaders?.Where(ReplayedHeaders.Keeps) ?? [];
        var entry = new CachedResponse(live.StatusCode, headers, payload, eventEnds, usageEventIndex,
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
