using System.Text.Json;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// The stream format of chat and text completions: <c>data:</c> events ended by <c>data: [DONE]</c>, usage in a last
/// chunk with <c>"choices":[]</c> that the upstream sends only when asked by <c>stream_options.include_usage</c>.
/// </summary>
internal abstract class ChatStyleEndpoint(string path, string operationName) : AiEndpoint(path, operationName)
{
    /// <inheritdoc/>
    public override SseEventKind Classify(ReadOnlySpan<byte> sseEvent)
    {
        if (sseEvent.StartsWith("data: [DONE]"u8))
        {
            return SseEventKind.Terminal;
        }

        if (sseEvent.IndexOf("\"usage\":{"u8) >= 0 || sseEvent.IndexOf("\"usage\": {"u8) >= 0)
        {
            return HasNoChoices(sseEvent) ? SseEventKind.UsageChunk : SseEventKind.Content;
        }

        return sseEvent.StartsWith("data: {\"error\""u8) ? SseEventKind.Failure : SseEventKind.Content;
    }

    /// <inheritdoc/>
    public override byte[]? AssembleAnswer(IEnumerable<ReadOnlyMemory<byte>> events) =>
        ChatStreamAssembler.Assemble(events, textCompletion: OperationName == "text_completion");

    /// <inheritdoc/>
    public override byte[]? AskForStreamUsage(ReadOnlySpan<byte> body, JsonElement root) => StreamUsageOption.WithIncludeUsage(body, root);

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
