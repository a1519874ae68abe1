using System.Text.Json;
using AiGateway.Transforms.Relay;
using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Walls;

/// <summary>
/// Records the owner of the object an AI call made upstream (a stored response, a stored chat completion) when its answer
/// completes: before any client sees the end, so the client's next call can name it at once.
/// </summary>
internal sealed partial class ObjectOwnerRecorder(IObjectOwnerStore store, string orgId, string? customerId, string kind, ILogger logger) : IAnswerSink
{
    /// <inheritdoc/>
    public async Task OnCompleteAsync(LiveResponse answer, ReadOnlyMemory<byte> body)
    {
        if (answer.StatusCode is < 200 or > 299)
        {
            return;
        }

        // A stream names its object in every event (chat) or in its first (responses: response.created).
        var json = answer.IsEventStream ? (answer.EventCount > 0 ? DataOf(answer.Event(0)) : default) : body;
        if (ObjectId(json.Span) is not { } id)
        {
            return;
        }

        try
        {
            await store.RecordAsync(new ObjectOwner(id, orgId, customerId, kind), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The answer stands; only naming the object later through the shared key fails (404), as for any unrecorded id.
            Log.RecordFailed(logger, id, ex.Message);
        }
    }

    /// <summary>The <c>id</c> (or <c>response.id</c>) of a JSON answer or event, when it is a plausible object id.</summary>
    internal static string? ObjectId(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var holder = root.TryGetProperty("response"u8, out var response) && response.ValueKind == JsonValueKind.Object ? response : root;
            return holder.TryGetProperty("id"u8, out var id) && id.ValueKind == JsonValueKind.String && id.GetString() is { Length: > 0 and <= 256 } value
                ? value
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    // The JSON of an SSE event's data line.
    private static ReadOnlyMemory<byte> DataOf(ReadOnlyMemory<byte> sseEvent)
    {
        var span = sseEvent.Span;
        var at = span.StartsWith("data:"u8) ? 0 : span.IndexOf("\ndata:"u8) + 1;
        if (at < 0 || (at == 0 && !span.StartsWith("data:"u8)))
        {
            return default;
        }

        var start = at + 5;
        var end = span[start..].IndexOf((byte)'\n');
        return sseEvent.Slice(start, end < 0 ? span.Length - start : end);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, EventName = "ObjectOwnerNotRecorded", Level = LogLevel.Warning,
            Message = "The owner of {ObjectId} could not be recorded in object_owners ({Reason}); only a key with its own upstream credential reaches it.")]
        public static partial void RecordFailed(ILogger logger, string objectId, string reason);
    }
}
