using System.Text.Json;
using AiGateway.Transforms.Endpoints;
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
        var json = answer.IsEventStream
            ? (answer.EventCount > 0 ? UsageReader.EventData(answer.Event(0).Span, out _).ToArray() : default)
            : body;
        if (ObjectId(json) is not { } id)
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
    internal static string? ObjectId(ReadOnlyMemory<byte> json)
    {
        if (json.IsEmpty)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(json);
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

    private static partial class Log
    {
        [LoggerMessage(EventId = 7101, EventName = "ObjectOwnerNotRecorded", Level = LogLevel.Warning,
            Message = "The owner of {ObjectId} could not be recorded in object_owners ({Reason}); only a key with its own upstream credential reaches it.")]
        public static partial void RecordFailed(ILogger logger, string objectId, string reason);
    }
}
