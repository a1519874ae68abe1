using System.Text.Json.Serialization;

namespace AiGateway.Transforms.Inflight;

/// <summary>One call running now, as <c>GET /api/inflight</c> lists it (CONTRACT §10.6).</summary>
public sealed record InflightCall
{
    /// <summary>The leader's request id (<c>x-aigw-request-id</c>): what <c>DELETE /api/inflight/{id}</c> takes.</summary>
    [JsonPropertyName("id")]
    public Guid Id { get; init; }

    /// <summary>The org that made the call.</summary>
    [JsonPropertyName("org")]
    public string Org { get; init; } = "";

    /// <summary>The customer it was made for, or null.</summary>
    [JsonPropertyName("customer")]
    public string? Customer { get; init; }

    /// <summary>The app feature (<c>x-aigw-route</c>), or null.</summary>
    [JsonPropertyName("route")]
    public string? Route { get; init; }

    /// <summary>The model sent upstream, or null.</summary>
    [JsonPropertyName("model")]
    public string? Model { get; init; }

    /// <summary>Whether the call streams.</summary>
    [JsonPropertyName("stream")]
    public bool Stream { get; init; }

    /// <summary>When the call arrived.</summary>
    [JsonPropertyName("started_at")]
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Milliseconds since it arrived, on the instance that leads it.</summary>
    [JsonPropertyName("elapsed_ms")]
    public long ElapsedMs { get; init; }

    /// <summary>Events of the answer so far (0 for a body answer until it is complete).</summary>
    [JsonPropertyName("events")]
    public int Events { get; init; }

    /// <summary>Clients reading the answer now, on every instance.</summary>
    [JsonPropertyName("readers")]
    public int Readers { get; init; }

    /// <summary>The instance that leads it (makes the upstream call).</summary>
    [JsonPropertyName("instance")]
    public string Instance { get; init; } = "";

    /// <summary>The answer's response id (the first part of its event ids, so of a client's <c>Last-Event-ID</c>).</summary>
    [JsonPropertyName("response_id")]
    public string ResponseId { get; init; } = "";
}
