using System.Text.Json.Serialization;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.CostLog;

/// <summary>One call on an understood or a metered endpoint: a row of <c>ai_performance_logs</c> (CONTRACT §7).</summary>
public sealed class PerfLogRecord
{
    /// <summary>The row id, also sent to the client as <c>x-aigw-request-id</c>; a time-ordered UUID v7 by default.</summary>
    public Guid Id { get; set; } = RequestId.NewVersion7(DateTimeOffset.UtcNow);

    /// <summary>When the call started; it picks the price in force, the log partition and the rollup day (UTC).</summary>
    public DateTimeOffset Ts { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>The org making the call.</summary>
    public string OrgId { get; set; } = "";

    /// <summary>The app feature named by <c>x-aigw-route</c>, or null.</summary>
    public string? Route { get; set; }

    /// <summary>The endpoint path, e.g. <c>/v1/chat/completions</c>.</summary>
    public string Endpoint { get; set; } = "";

    /// <summary>The model the client asked for, or null when the body names none.</summary>
    public string? ModelRequested { get; set; }

    /// <summary>The model sent upstream after the mode rewrite (the rollup's model; the requested one when null).</summary>
    public string? ModelUsed { get; set; }

    /// <summary>The mode applied (<c>cheap</c>, <c>smart</c>, <c>auto:cheap</c>, <c>auto:smart</c>), or null.</summary>
    public string? Mode { get; set; }

    /// <summary>Whether the response was streamed (SSE).</summary>
    public bool Stream { get; set; }

    /// <summary>The HTTP status sent to the client.</summary>
    public int StatusCode { get; set; }

    /// <summary><c>hit</c>, <c>miss</c>, <c>refresh</c> or <c>bypass</c> (the <c>x-aigw-cache</c> value); the rollup counts <c>hit</c>.</summary>
    public string CacheStatus { get; set; } = "miss";

    /// <summary><c>leader</c>, <c>follower</c>, <c>resumer</c> (a request that resumed an answer with <c>Last-Event-ID</c>), or null when dedupe did not apply.</summary>
    public string? DedupeRole { get; set; }

    /// <summary>Upstream attempts of this logical call (0 on a hit or as a follower).</summary>
    public int Attempts { get; set; }

    /// <summary>Input tokens, cached ones included.</summary>
    public long PromptTokens { get; set; }

    /// <summary>Cached input tokens.</summary>
    public long CachedTokens { get; set; }

    /// <summary>Output tokens.</summary>
    public long CompletionTokens { get; set; }

    /// <summary>Whether the token counts are a tokenizer estimate (a stream that ended without usage).</summary>
    public bool UsageEstimated { get; set; }

    /// <summary>What the call cost, or null when the model has no price.</summary>
    public decimal? CostUsd { get; set; }

    /// <summary>What a hit or follower avoided paying, or null.</summary>
    public decimal? SavedUsd { get; set; }

    /// <summary>Milliseconds from the request to the end of the response.</summary>
    public int DurationMs { get; set; }

    /// <summary>Milliseconds to the first event of a stream, or null.</summary>
    public int? TtftMs { get; set; }

    /// <summary>Milliseconds spent waiting on the upstream, or null when it was not called.</summary>
    public int? UpstreamMs { get; set; }

    /// <summary>The request fingerprint (hex SHA-256).</summary>
    public string RequestHash { get; set; } = "";

    /// <summary>A short description of what failed, or null.</summary>
    public string? Error { get; set; }

    /// <summary>The customer the call was made for (<c>x-aigw-customer</c>), or null.</summary>
    public string? CustomerId { get; set; }

    /// <summary>The id of the virtual key that made the call (the first 12 hex characters of its hash), or null in Passthrough mode.</summary>
    public string? KeyId { get; set; }

    /// <summary>The reconnect this request is by the client's own count (<c>x-aigw-resume-attempt</c>, 0 to 1000), or null when it sent none.</summary>
    public int? ClientAttempt { get; set; }

    /// <summary>Whether the request is the stream client's non-streamed fallback (<c>x-aigw-fallback: non-stream</c>).</summary>
    public bool ClientFallback { get; set; }

    /// <summary>
    /// Whether the upstream answered a metered call (images, audio, a batch) without reporting its usage in tokens: the
    /// row's tokens are then unknown rather than zero, and its cost null.
    /// </summary>
    public bool UsageUnreported { get; set; }

    /// <summary>The three token counts together.</summary>
    [JsonIgnore]
    public TokenUsage Usage
    {
        get => new(PromptTokens, CachedTokens, CompletionTokens);
        set => (PromptTokens, CachedTokens, CompletionTokens) = (value.PromptTokens, value.CachedTokens, value.CompletionTokens);
    }

    /// <summary>The journal file holding this row until it settles (stored, spilled or given up).</summary>
    [JsonIgnore]
    internal JournalSegment? JournalSegment { get; set; }
}
