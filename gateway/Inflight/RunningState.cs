using System.Text.Json.Serialization;

namespace AiGateway.Inflight;

/// <summary>The answer of <c>GET /api/inflight/{id}</c>.</summary>
/// <param name="Running">Whether the call still runs.</param>
internal sealed record RunningState([property: JsonPropertyName("running")] bool Running);
