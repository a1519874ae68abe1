using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// The cache's part in the life of an answer the call leads (an <see cref="IAnswerSink"/>): it names the outcome to the
/// leader's client when the upstream answers (<c>x-aigw-cache</c>; <c>bypass</c> when a fallback model answered, whose
/// answer is not this call's to store), and stores a complete 2xx answer before any client sees its end. Answers over
/// the size limit are relayed but not stored; store failures cost the entry, never the answer. The entry shares the
/// live answer's bytes rather than copying them: neither ever writes to them again.
/// </summary>
internal sealed class ResponseCapture(CacheFeature cache, IResponseCacheStore store, CacheTags tags, int limit, TimeProvider time) : IAnswerSink
{
    private bool _store = cache.Decision.Store;

    /// <inheritdoc/>
    public void OnStart(LiveResponse answer, HttpResponse leaderResponse)
    {
        if (leaderResponse.HttpContext.Features.Get<UpstreamOutcome>()?.FallbackModel is not null)
        {
            // A stand-in answered: the next identical call asks the real model again.
            cache.Status = CacheStatus.Bypass;
            _store = false;
        }

        leaderResponse.Headers[CacheHeaders.Cache] = CacheDecision.HeaderValue(cache.Status);
    }

    /// <inheritdoc/>
    public Task OnCompleteAsync(LiveResponse answer, ReadOnlyMemory<byte> body)
    {
        if (!_store || answer.StatusCode is < 200 or > 299)
        {
            return Task.CompletedTask;
        }

        if (!answer.IsEventStream)
        {
            return body.Length > limit ? Task.CompletedTask : StoreAsync(answer, body, null, -1);
        }

        if (answer.TotalBytes > limit)
        {
            return Task.CompletedTask;
        }

        var count = answer.EventCount;
        return StoreAsync(answer, answer.Events(count), answer.EventEnds(count).ToArray(), answer.UsageEventIndex);
    }

    private async Task StoreAsync(LiveResponse answer, ReadOnlyMemory<byte> payload, int[]? eventEnds, int usageEventIndex)
    {
        var headers = answer.UpstreamHeaders?.Where(ReplayedHeaders.Keeps) ?? [];
        var entry = new CachedResponse(answer.StatusCode, headers, payload, eventEnds, usageEventIndex,
            time.GetUtcNow().ToUnixTimeMilliseconds(), answer.ResponseId);
        try
        {
            await store.SetAsync(cache.Decision.Key, tags, entry, cache.Decision.Ttl, CancellationToken.None, replacing: cache.Decision.Status == CacheStatus.Refresh);
            answer.Cached = true;
        }
        catch (Exception)
        {
            // The stores already turn their own failures into skipped writes; this guards the answer against anything else.
        }
    }
}
