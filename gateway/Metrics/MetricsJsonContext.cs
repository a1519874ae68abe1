using System.Text.Json.Serialization;

namespace AiGateway.Metrics;

/// <summary>Source-generated JSON of the metrics API: snake_case names, money as exact decimal numbers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AiPerformanceReport))]
[JsonSerializable(typeof(TimeSeriesReport))]
internal sealed partial class MetricsJsonContext : JsonSerializerContext;
