using System.IO.Pipelines;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Metering;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Reads an upstream SSE stream of an understood endpoint into its <see cref="LiveResponse"/>, one complete event at a
/// time the moment it ends (CONTRACT §2 "event-exact"). The upstream read stops only when the stream ends or when no
/// client is left after the resume grace, never because one client left.
/// </summary>
internal static class SsePump
{
    /// <summary>Pumps until the terminal event, the upstream's end or failure, or cancellation.</summary>
    public static async Task RunAsync(AiExchange exchange, LiveResponse live, HttpResponseMessage upstream)
    {
        var cancel = live.UpstreamAborted;
        var succeeded = upstream.IsSuccessStatusCode;
        var sawFailure = false;
        PipeReader? input = null;
        try
        {
            var source = await upstream.Content.ReadAsStreamAsync(cancel);
            // Zero-byte reads: a stream spends most of its life waiting for the upstream's next event, and holds no read
            // buffer while it waits (thousands of slow streams at once would otherwise each pin one).
            input = PipeReader.Create(source, new StreamPipeReaderOptions(bufferSize: 16 * 1024, minimumReadSize: 2048, leaveOpen: true, useZeroByteReads: true));
            while (true)
            {
                var read = await input.ReadAsync(cancel);
                var buffer = read.Buffer;
                while (SseEventScanner.TryReadEvent(ref buffer, out var sseEvent))
                {
                    var kind = SseEventClassifier.Classify(exchange.Endpoint, sseEvent);
                    sawFailure |= kind == SseEventKind.Failure;
                    if (kind is SseEventKind.UsageChunk or SseEventKind.Terminal && UsageReader.TryReadStreamEvent(sseEvent, out var usage))
                    {
                        // Known before the terminal event is appended, so every client's cost comment can precede it.
                        UsageMeter.Price(exchange, live, usage);
                    }

                    live.Append(sseEvent, kind == SseEventKind.UsageChunk, kind == SseEventKind.Terminal);
                    if (kind == SseEventKind.Terminal && succeeded && !sawFailure)
                    {
                        // Stored before any client can see the terminal event: whoever saw the end can rely on a hit.
                        await live.BeforeEndAsync(exchange.Capture is { } capture ? capture.CommitAsync(live) : Task.CompletedTask, default);

                        live.CompleteStream();
                        return;
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    live.Fail(0, default, sawFailure ? default : SseFailure.Event(exchange.Endpoint, "The upstream stream ended before its final event."), byCancellation: false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            live.Fail(0, default, SseFailure.Event(exchange.Endpoint, "The stream was stopped: no client was left to read it.", "stream_cancelled"), byCancellation: true);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            live.Fail(0, default, SseFailure.Event(exchange.Endpoint, "The upstream stream failed: " + ex.Message), byCancellation: false);
        }
        catch (Exception ex)
        {
            // Any other fault must still end the answer: every client of it waits for its end.
            live.Fail(0, default, SseFailure.Event(exchange.Endpoint, "The gateway failed while relaying the stream: " + ex.GetType().Name, "gateway_error"), byCancellation: false);
        }
        finally
        {
            if (input is not null)
            {
                await input.CompleteAsync();
            }
        }
    }
}
