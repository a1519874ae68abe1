using System.Text.Json.Serialization;

namespace AiGateway.Transforms.CostLog;

/// <summary>The spill file format: one <see cref="PerfLogRecord"/> per line, snake_case like the columns, money as exact JSON numbers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PerfLogRecord))]
internal sealed partial class PerfLogJsonContext : JsonSerializerContext;
