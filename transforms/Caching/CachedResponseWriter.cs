using System.Buffers;
using AiGateway.Transforms.Exchange;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Caching;

/// <summary>Answers a call from a cache entry: the stored bytes go out as they are, without re-serialisation.</summary>
internal static class CachedResponseWriter
{
    /// <summary>Writes the hit: status, replayed headers, <c>x-aigw-cache: hit</c>, <c>Age</c>, then the body or the events.</summary>
    public static async Task WriteAsync(AiExchange exchange, CachedResponse entry, DateTimeOffset now)
    {
        var response = exchange.HttpContext.Response;
        response.StatusCode = entry.StatusCode;
        foreach (var header in entry.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        response.Headers[CacheHeaders.Cache] = "hit";
        response.Headers.Age = Math.Max(0, (now.ToUnixTimeMilliseconds() - entry.CreatedAtUnixMs) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var aborted = exchange.HttpContext.RequestAborted;
        if (!entry.IsStream)
        {
            response.ContentLength = entry.Payload.Length;
            await response.Body.WriteAsync(entry.Payload, aborted);
            return;
        }

        // The usage chunk was stored because the gateway always asks for it; only a client that asked gets it.
        var skip = exchange.ClientWantsStreamUsage ? -1 : entry.UsageEventIndex;
        var output = response.BodyWriter;
        var start = 0;
        for (var i = 0; i < entry.EventEnds!.Length; i++)
        {
            var end = entry.EventEnds[i];
            if (i != skip)
            {
                output.Write(entry.Payload.Span[start..end]);
            }

            start = end;
        }

        await output.FlushAsync(aborted);
    }
}
