using AiGateway.Config;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Answers the stream client's non-streamed fallback (<c>"stream": false</c> with the <c>Last-Event-ID</c> its stream
/// reached) from the generation that stream began, assembled as the one JSON answer of the endpoint, so the app sees one
/// continuous message and pays once (CONTRACT §10.6). The generation is found by its response id under the fingerprint
/// the same request has as a stream — which keeps it to the org (and request) that started it — running here, on another
/// instance (its Redis log), or complete in the cache. A generation that failed, or is gone, is not answered here: the
/// call goes on as a fresh one (and the client starts its message over).
/// </summary>
internal sealed class SameGenerationFallback(LiveResponseRegistry registry, IResponseCacheStore store, GatewayOptions gateway)
{
    /// <summary>Finds a stream running on another instance: endpoint, fingerprint, response id.</summary>
    public delegate Task<LiveResponse?> RemoteFinder(AiEndpoint endpoint, string fingerprint, string responseId);

    /// <summary>Answers the call from the generation <paramref name="lastEventId"/> names; false when the call must be a fresh one.</summary>
    public async Task<bool> TryAnswerAsync(AiExchange exchange, CacheFeature cache, CacheKey streamKey, LiveReader reader, string lastEventId, RemoteFinder findRemote)
    {
        if (!SseEventId.TryParse(lastEventId, out var responseId, out _))
        {
            return false;
        }

        var context = exchange.HttpContext;
        var live = registry.Find(responseId) ?? await findRemote(exchange.Endpoint, streamKey.Fingerprint, responseId);
        if (live is not null && live.Fingerprint == streamKey.Fingerprint)
        {
            // Read it as any resumer does: the stream's clients have left, and this one keeps the generation going.
            var grace = TimeSpan.FromSeconds(gateway.Resume.GraceSeconds);
            live.Subscribe(reader);
            try
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
                wait.CancelAfter(TimeSpan.FromSeconds(gateway.Dedupe.MaxWaitSeconds));
                while (true)
                {
                    var version = live.Version;
                    if (live.IsFinished || reader.Released)
                    {
                        break;
                    }

                    await live.ChangedSince(version).WaitAsync(wait.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // The client left (there is nobody to answer), or the generation outlasted the wait: a fresh call then.
                reader.ClientLeft = context.RequestAborted.IsCancellationRequested;
                return reader.ClientLeft;
            }
            finally
            {
                live.Unsubscribe(reader, reader.Released ? TimeSpan.Zero : grace);
            }

            if (reader.Released)
            {
                return true;
            }

            if (live.CancelledByOperator)
            {
                await WriteAsync(context, cache, [], live.StatusCode, live.Body.ToArray());
                return true;
            }

            if (live.State == LiveState.Completed && live.IsEventStream && live.StatusCode is >= 200 and <= 299
                && exchange.Endpoint.AssembleAnswer(Events(live)) is { } answer)
            {
                await WriteAsync(context, cache, live.Headers, StatusCodes.Status200OK, answer);
                return true;
            }

            return false;
        }

        using var entry = await store.GetAsync(streamKey, context.RequestAborted);
        if (entry is { IsStream: true, StatusCode: >= 200 and <= 299 } && entry.ResponseId == responseId
            && exchange.Endpoint.AssembleAnswer(Events(entry)) is { } cached)
        {
            await WriteAsync(context, cache, entry.Headers, StatusCodes.Status200OK, cached);
            return true;
        }

        return false;
    }

    private static Task WriteAsync(HttpContext context, CacheFeature cache, KeyValuePair<string, string>[] headers, int status, byte[] answer)
    {
        var response = context.Response;
        response.StatusCode = status;
        foreach (var header in headers)
        {
            // The stream's type and framing do not describe the assembled body.
            if (!header.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase) && !header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.Headers[header.Key] = header.Value;
            }
        }

        response.ContentType = "application/json";
        response.Headers[DedupeMiddleware.DedupeHeader] = DedupeRoles.Resumer;
        response.Headers[CacheHeaders.Cache] = CacheDecision.HeaderValue(cache.Status);
        // The stream's leader paid for the generation; this answer costs nothing more.
        response.Headers[AnswerCost.Header] = "0";
        response.ContentLength = answer.Length;
        context.Features.Get<AiCall>()?.MarkFirstByte();
        return response.Body.WriteAsync(answer, context.RequestAborted).AsTask();
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Events(LiveResponse live)
    {
        var count = live.EventCount;
        for (var i = 0; i < count; i++)
        {
            yield return live.Event(i);
        }
    }

    private static IEnumerable<ReadOnlyMemory<byte>> Events(CachedResponse entry)
    {
        var start = 0;
        foreach (var end in entry.EventEnds!)
        {
            yield return entry.Payload[start..end];
            start = end;
        }
    }
}
