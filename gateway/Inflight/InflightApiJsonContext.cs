using System.Text.Json.Serialization;

namespace AiGateway.Inflight;

/// <summary>Source-generated JSON for the in-flight API's small answers.</summary>
[JsonSerializable(typeof(RunningState))]
[JsonSerializable(typeof(CancelAccepted))]
[JsonSerializable(typeof(ReleaseAccepted))]
internal sealed partial class InflightApiJsonContext : JsonSerializerContext;
