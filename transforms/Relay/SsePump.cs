using System.Buffers;
using System.IO.Pipelines;
using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Reads an upstream SSE stream of an understood endpoint into its <see cref="LiveResponse"/>, one complete event at a
/// time the moment it ends (CONTRACT §2 "event-exact"). The upstream read stops only when the stream ends or when no
/// client is left after the resume grace, never because one client left.
/// </summary>
internal static class SsePump
{
    /// <summary>Pumps until the terminal event, the upstream's end or failure, or cancellation.</summary>
    public static async Task RunAsync(LiveResponse live, HttpResponseMessage upstream)
    {
        var cancel = live.UpstreamAborted;
        var endpoint = live.Endpoint;
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
                    var kind = endpoint.Classify(sseEvent);
                    sawFailure |= kind == SseEventKind.Failure;
                    if (kind is SseEventKind.UsageChunk or SseEventKind.Terminal && live.Sinks is { } sinks && ReadUsage(endpoint, sseEvent, out var usage))
                    {
                        // Known before the terminal event is appended, so every client's cost comment can precede it.
                        sinks.Usage(live, usage);
                    }

                    live.Append(sseEvent, kind == SseEventKind.UsageChunk, kind == SseEventKind.Terminal);
                    if (kind == SseEventKind.Terminal && succeeded && !sawFailure)
                    {
                        // Stored before any client can see the terminal event: whoever saw the end can rely on a hit.
                        if (live.Sinks is { } ending)
                        {
                            await ending.CompleteAsync(live, default);
                        }

                        live.CompleteStream();
                        return;
                    }
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    live.Fail(0, default, sawFailure ? default : endpoint.FailureEvent("The upstream stream ended before its final event."), byCancellation: false);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            live.Fail(0, default, endpoint.FailureEvent("The stream was stopped: no client was left to read it.", "stream_cancelled"), byCancellation: true);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            live.Fail(0, default, endpoint.FailureEvent("The upstream stream failed: " + ex.Message), byCancellation: false);
        }
        catch (Exception ex)
        {
            // Any other fault must still end the answer: every client of it waits for its end.
            live.Fail(0, default, endpoint.FailureEvent("The gateway failed while relaying the stream: " + ex.GetType().Name, "gateway_error"), byCancellation: false);
        }
        finally
        {
            if (input is not null)
            {
                await input.CompleteAsync();
            }
        }
    }

    private static bool ReadUsage(AiEndpoint endpoint, in ReadOnlySequence<byte> sseEvent, out TokenUsage usage) =>
        endpoint.TryReadStreamUsage(sseEvent.IsSingleSegment ? sseEvent.FirstSpan : sseEvent.ToArray(), out usage);
}
