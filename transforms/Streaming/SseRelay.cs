using System.Buffers;
using System.IO.Pipelines;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Streaming;

/// <summary>
/// Owns the copy of a streamed (SSE) response of an understood endpoint: every complete upstream event is written
/// and flushed to the client the moment it ends (CONTRACT §2 "event-exact"), never split and never delayed.
/// </summary>
internal static class SseRelay
{
    /// <summary>Relays the upstream event stream until its end, the client's disconnect, or an upstream failure.</summary>
    public static async Task RelayAsync(AiExchange exchange, HttpResponseMessage upstream)
    {
        var context = exchange.HttpContext;
        var aborted = context.RequestAborted;
        var output = context.Response.BodyWriter;
        var dropUsageChunk = exchange.Endpoint.AsksForStreamUsage && !exchange.ClientWantsStreamUsage;
        var capture = context.Response.StatusCode is >= 200 and <= 299 ? exchange.Capture : null;
        var ended = false;

        await using var source = await upstream.Content.ReadAsStreamAsync(aborted);
        var input = PipeReader.Create(source, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true));
        try
        {
            while (true)
            {
                ReadResult read;
                try
                {
                    read = await input.ReadAsync(aborted);
                }
                catch (Exception ex) when (!aborted.IsCancellationRequested && ex is IOException or HttpRequestException)
                {
                    await WriteFailureAsync(exchange, output, "The upstream stream failed: " + ex.Message);
                    return;
                }

                var buffer = read.Buffer;
                while (SseEventScanner.TryReadEvent(ref buffer, out var sseEvent))
                {
                    var kind = SseEventClassifier.Classify(exchange.Endpoint, sseEvent);
                    ended |= kind is SseEventKind.Terminal or SseEventKind.Failure;
                    if (kind == SseEventKind.Failure)
                    {
                        capture = null;
                    }

                    if (capture is not null)
                    {
                        capture.AddEvent(sseEvent, kind == SseEventKind.UsageChunk);
                        if (kind == SseEventKind.Terminal)
                        {
                            // Stored before the terminal event is flushed: a client that saw the end can rely on a hit.
                            await capture.CommitAsync(context.Response);
                        }
                    }

                    if (kind == SseEventKind.UsageChunk && dropUsageChunk)
                    {
                        continue;
                    }

                    // One contiguous write per event, so Kestrel frames it as a single chunk rather than splitting it at a segment edge.
                    var length = (int)sseEvent.Length;
                    sseEvent.CopyTo(output.GetSpan(length));
                    output.Advance(length);

                    var flushed = await output.FlushAsync(aborted);
                    if (flushed.IsCanceled || flushed.IsCompleted)
                    {
                        return;
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    if (!ended)
                    {
                        await WriteFailureAsync(exchange, output, "The upstream stream ended before its final event.");
                    }

                    return;
                }
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The client went away; disposing the upstream response aborts the upstream call.
        }
        finally
        {
            await input.CompleteAsync();
        }
    }

    /// <summary>Ends the stream with an OpenAI-shaped error event so SDKs raise a real error instead of hanging or parsing garbage.</summary>
    private static async Task WriteFailureAsync(AiExchange exchange, PipeWriter output, string message)
    {
        var error = OpenAiError.Serialize("server_error", "upstream_stream_error", message);
        if (exchange.Endpoint.Terminal == StreamTerminal.ResponseCompleted)
        {
            output.Write("event: error\n"u8);
        }

        output.Write("data: "u8);
        output.Write(error);
        output.Write("\n\n"u8);
        try
        {
            await output.FlushAsync(exchange.HttpContext.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
