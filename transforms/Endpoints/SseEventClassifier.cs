using System.Buffers;
using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>Recognises the events the gateway acts on, looking at bytes first and parsing JSON only for candidates.</summary>
internal static class SseEventClassifier
{
    /// <summary>Classifies one complete event of a stream from <paramref name="endpoint"/>.</summary>
    public static SseEventKind Classify(AiEndpoint endpoint, ReadOnlySequence<byte> sseEvent)
    {
        var bytes = sseEvent.IsSingleSegment ? sseEvent.FirstSpan : sseEvent.ToArray();
        if (endpoint.Terminal == StreamTerminal.ResponseCompleted)
        {
            if (bytes.StartsWith("event: response.completed"u8)) return SseEventKind.Terminal;
            if (bytes.StartsWith("event: response.failed"u8) || bytes.StartsWith("event: response.incomplete"u8) || bytes.StartsWith("event: error"u8))
            {
                return SseEventKind.Failure;
            }

            return SseEventKind.Content;
        }

        if (bytes.StartsWith("data: [DONE]"u8)) return SseEventKind.Terminal;
        if (bytes.IndexOf("\"usage\":{"u8) >= 0 || bytes.IndexOf("\"usage\": {"u8) >= 0)
        {
            return HasNoChoices(bytes) ? SseEventKind.UsageChunk : SseEventKind.Content;
        }

        return bytes.StartsWith("data: {\"error\""u8) ? SseEventKind.Failure : SseEventKind.Content;
    }

    private static bool HasNoChoices(ReadOnlySpan<byte> sseEvent)
    {
        var data = sseEvent.IndexOf("data:"u8);
        if (data < 0)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(sseEvent[(data + 5)..]);
            using var document = JsonDocument.ParseValue(ref reader);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("choices"u8, out var choices)
                && choices.ValueKind == JsonValueKind.Array
                && choices.GetArrayLength() == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
