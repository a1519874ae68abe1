using System.Buffers;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Caching;

/// <summary>Answers a call from a cache entry: the stored bytes go out as they are, without re-serialisation.</summary>
internal static class CachedResponseWriter
{
    // Hot entries are young: their Age values are formatted once, not on every hit.
    private static readonly string?[] RecentAges = new string?[600];

    /// <summary>
    /// Writes the hit: status, replayed headers, <c>x-aigw-cache: hit</c>, <c>Age</c>, then the body or the events
    /// (each with its <c>id:</c> line) from <paramref name="firstEvent"/> on.
    /// </summary>
    public static async Task WriteAsync(AiExchange exchange, CachedResponse entry, DateTimeOffset now, int firstEvent = 0)
    {
        var response = exchange.HttpContext.Response;
        response.StatusCode = entry.StatusCode;
        foreach (var header in entry.Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        response.Headers[CacheHeaders.Cache] = "hit";
        response.Headers.Age = AgeText(Math.Max(0, (now.ToUnixTimeMilliseconds() - entry.CreatedAtUnixMs) / 1000));
        var aborted = exchange.HttpContext.RequestAborted;
        exchange.Call.MarkFirstByte();
        if (!entry.IsStream)
        {
            // A hit costs nothing.
            response.Headers[AnswerCost.Header] = "0";
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
            if (i != skip && i >= firstEvent)
            {
                if (i == entry.EventEnds.Length - 1)
                {
                    output.Write(AnswerCost.PaidNothingComment);
                }

                SseEventId.WriteEvent(output, entry.ResponseId, i, entry.Payload.Span[start..end]);
            }

            start = end;
        }

        await output.FlushAsync(aborted);
    }

    private static string AgeText(long seconds)
    {
        if (seconds >= RecentAges.Length)
        {
            return seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        // A race formats the same text twice; either copy is right.
        return RecentAges[seconds] ??= seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
