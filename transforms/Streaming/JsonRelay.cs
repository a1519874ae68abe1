using System.Buffers;
using AiGateway.Transforms.Exchange;

namespace AiGateway.Transforms.Streaming;

/// <summary>
/// Owns the copy of a non-streamed answer of an understood endpoint: the body is read whole (it arrives at once after
/// generation anyway), observed, committed to the cache, and only then written, so the entry exists before the client
/// has the answer (read-your-writes).
/// </summary>
internal static class JsonRelay
{
    /// <summary>Answers larger than this are streamed through unobserved (CONTRACT §5: cost headers up to 1 MiB).</summary>
    public const int ObservedLimit = 1024 * 1024;

    /// <summary>Relays the upstream body.</summary>
    public static async Task RelayAsync(AiExchange exchange, HttpResponseMessage upstream, int limit)
    {
        var context = exchange.HttpContext;
        var aborted = context.RequestAborted;
        await using var source = await upstream.Content.ReadAsStreamAsync(aborted);
        var buffer = ArrayPool<byte>.Shared.Rent(upstream.Content.Headers.ContentLength is { } declared ? (int)declared : 16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    if (length >= limit)
                    {
                        // Too large to observe: send what we have and stream the rest untouched.
                        await context.Response.Body.WriteAsync(buffer.AsMemory(0, length), aborted);
                        await source.CopyToAsync(context.Response.Body, aborted);
                        return;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(limit, buffer.Length * 2));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length), aborted);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            var body = buffer.AsMemory(0, length);
            if (exchange.Capture is { } capture)
            {
                capture.SetBody(body.Span);
                await capture.CommitAsync(context.Response);
            }

            context.Response.ContentLength = length;
            await context.Response.Body.WriteAsync(body, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; disposing the upstream response aborts the upstream call.
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
