using System.Text.Json.Serialization;

namespace AiGateway.Transforms.Inflight;

/// <summary>The answer of <c>GET /api/inflight</c>: the calls running now, and which instances answered.</summary>
public sealed record InflightList
{
    /// <summary>The calls, oldest first.</summary>
    [JsonPropertyName("calls")]
    public IReadOnlyList<InflightCall> Calls { get; init; } = [];

    /// <summary>The instances whose calls are listed.</summary>
    [JsonPropertyName("instances")]
    public IReadOnlyList<string> Instances { get; init; } = [];

    /// <summary>Instances that are registered but did not answer in time: their calls are missing from the list.</summary>
    [JsonPropertyName("missing_instances")]
    public IReadOnlyList<string> MissingInstances { get; init; } = [];
}
