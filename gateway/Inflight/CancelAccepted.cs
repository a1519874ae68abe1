using System.Text.Json.Serialization;

namespace AiGateway.Inflight;

/// <summary>The answer of <c>DELETE /api/inflight/{id}</c> (202).</summary>
/// <param name="Id">The call named.</param>
/// <param name="Cancelled">Always true: the call was running and is cancelled for every reader.</param>
internal sealed record CancelAccepted([property: JsonPropertyName("id")] Guid Id, [property: JsonPropertyName("cancelled")] bool Cancelled);
