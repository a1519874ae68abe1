using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// <c>POST /v1/responses</c> (CONTRACT §2): named events, complete at <c>event: response.completed</c> (no <c>[DONE]</c>),
/// whose <c>response.usage</c> is always there; <c>response.failed</c>, <c>response.incomplete</c> and <c>error</c> end it as failed.
/// </summary>
internal sealed class ResponsesEndpoint() : AiEndpoint("/v1/responses", "responses")
{
    /// <inheritdoc/>
    public override SseEventKind Classify(ReadOnlySpan<byte> sseEvent)
    {
        if (sseEvent.StartsWith("event: response.completed"u8))
        {
            return SseEventKind.Terminal;
        }

        return sseEvent.StartsWith("event: response.failed"u8) || sseEvent.StartsWith("event: response.incomplete"u8) || sseEvent.StartsWith("event: error"u8)
            ? SseEventKind.Failure
            : SseEventKind.Content;
    }

    /// <inheritdoc/>
    // The terminal event carries the whole response object: exactly the non-streamed answer.
    public override byte[]? AssembleAnswer(IEnumerable<ReadOnlyMemory<byte>> events)
    {
        foreach (var sseEvent in events)
        {
            if (Classify(sseEvent.Span) != SseEventKind.Terminal)
            {
                continue;
            }

            try
            {
                var reader = new Utf8JsonReader(UsageReader.EventData(sseEvent.Span, out _));
                using var document = JsonDocument.ParseValue(ref reader);
                return document.RootElement.ValueKind == JsonValueKind.Object
                    && document.RootElement.TryGetProperty("response"u8, out var response) && response.ValueKind == JsonValueKind.Object
                    ? System.Text.Encoding.UTF8.GetBytes(response.GetRawText())
                    : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        return null;
    }

    /// <inheritdoc/>
    // The Responses API names its events; SDKs look for an "error" event there, not for an "error" member in data.
    public override byte[] FailureEvent(string message, string code = SseFailureEvent.UpstreamStreamError) =>
        SseFailureEvent.Named(message, code);
}
