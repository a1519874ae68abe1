using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Reads a non-streamed answer of an understood endpoint whole (it arrives at once after generation anyway) into its
/// <see cref="LiveResponse"/>, committing it to the cache first, so the entry exists before any client has the answer.
/// </summary>
internal static class JsonPump
{
    /// <summary>Answers declared larger than this are not observed: YARP streams them to the leader alone.</summary>
    public const long ObservedLimit = 64L * 1024 * 1024;

    /// <summary>Pumps the body.</summary>
    public static async Task RunAsync(AiExchange exchange, LiveResponse live, HttpResponseMessage upstream)
    {
        var cancel = live.UpstreamAborted;
        try
        {
            // The resilience handler has normally read the answer already: take its array rather than a copy.
            ReadOnlyMemory<byte> body = upstream.Content is BufferedAnswerContent buffered
                ? buffered.Bytes
                : await upstream.Content.ReadAsByteArrayAsync(cancel);
            if (upstream.IsSuccessStatusCode && UsageReader.TryReadBody(body.Span, out var usage))
            {
                UsageMeter.Price(exchange, live, usage);
            }

            await live.BeforeEndAsync(
                upstream.IsSuccessStatusCode && exchange.Capture is { } capture ? capture.CommitAsync(live, body) : Task.CompletedTask, body);
            live.CompleteBody(body);
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            live.Fail(0, default, default, byCancellation: true);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException)
        {
            live.Fail(StatusCodes.Status502BadGateway, OpenAiError.Serialize("server_error", "upstream_unreachable", "The upstream answer broke off: " + ex.Message), default, byCancellation: false);
        }
        catch (Exception ex)
        {
            // Any other fault must still end the answer: every client of it waits for its end.
            live.Fail(StatusCodes.Status502BadGateway, OpenAiError.Serialize("server_error", "gateway_error", "The gateway failed while relaying the answer: " + ex.GetType().Name), default, byCancellation: false);
        }
    }
}
