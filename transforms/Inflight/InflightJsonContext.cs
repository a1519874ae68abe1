using System.Text.Json.Serialization;

namespace AiGateway.Transforms.Inflight;

/// <summary>Source-generated JSON for the in-flight API and the messages between instances.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(InflightList))]
[JsonSerializable(typeof(InflightAsk))]
[JsonSerializable(typeof(InflightReply))]
internal sealed partial class InflightJsonContext : JsonSerializerContext;
