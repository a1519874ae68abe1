using AiGateway.Transforms.Caching;
namespace AiGateway.Metrics;

/// <summary>The columns of one log row the metrics read, for the embedded store where they are aggregated in C#.</summary>
internal sealed record LogRow(
    Guid Id,
    DateTimeOffset Ts,
    string OrgId,
    string Route,
    string Model,
    bool Stream,
    int StatusCode,
    string CacheStatus,
    string? DedupeRole,
    int Attempts,
    long PromptTokens,
    long CompletionTokens,
    decimal? CostUsd,
    decimal? SavedUsd,
    int DurationMs,
    int? TtftMs,
    int? UpstreamMs,
    string? Error,
    int? ClientAttempt = null,
    bool ClientFallback = false)
{
    /// <summary>Whether this is a resumed stream (<see cref="StreamRowKind.IsResume"/>).</summary>
    public bool IsResume => StreamRowKind.IsResume(Stream, DedupeRole);

    /// <summary>Whether this is a resume at the second reconnect or later (<see cref="StreamRowKind.IsRetriedResume"/>).</summary>
    public bool IsRetriedResume => StreamRowKind.IsRetriedResume(Stream, DedupeRole, ClientAttempt);

    /// <summary>Whether this is a dropped stream (<see cref="StreamRowKind.IsDrop"/>).</summary>
    public bool IsDrop => StreamRowKind.IsDrop(Stream, Error);

    /// <summary>Whether this is a stopped call (<see cref="StreamRowKind.IsStop"/>).</summary>
    public bool IsStop => StreamRowKind.IsStop(Error);
}
