using System.Text.Json.Serialization;

namespace AiGateway.Inflight;

/// <summary>The answer of <c>POST /api/inflight/{id}/release</c> (202).</summary>
/// <param name="Released">Always true: the reader reads no more.</param>
internal sealed record ReleaseAccepted([property: JsonPropertyName("released")] bool Released);
