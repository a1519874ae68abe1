using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Reads a non-streamed answer of an understood endpoint whole (it arrives at once after generation anyway) into its
/// <see cref="LiveResponse"/>, running the answer's sinks first (usage, cache entry, Redis mirror), so the entry exists
/// before any client has the answer.
/// </summary>
internal static class JsonPump
{
    /// <summary>Answers declared larger than this are not observed: YARP streams them to the leader alone.</summary>
    public const long ObservedLimit = 64L * 1024 * 1024;

    /// <summary>Pumps the body of <paramref name="upstream"/>, whose content may already be held in memory as <paramref name="buffered"/>.</summary>
    public static async Task RunAsync(LiveResponse live, HttpResponseMessage upstream, ReadOnlyMemory<byte>? buffered)
    {
        var cancel = live.UpstreamAborted;
        try
        {
            var body = buffered ?? await upstream.Content.ReadAsByteArrayAsync(cancel);
            if (upstream.IsSuccessStatusCode && live.Endpoint.TryReadUsage(body.Span, out var usage))
            {
                live.Sinks?.Usage(live, usage);
            }

            // An error answer ends too (the Redis mirror writes its end); the cache's sink keeps only a 2xx one.
            if (live.Sinks is { } sinks)
            {
                await sinks.CompleteAsync(live, body);
            }

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
