namespace AiGateway.Metrics;

/// <summary>
/// How the metrics tell stream rows apart, in SQL and in C# alike. A resume has no column of its own: it is the one
/// streamed call that succeeds without a cache hit, without following a leader and without calling upstream
/// (it replays a live or recent answer from its <c>Last-Event-ID</c>).
/// </summary>
internal static class StreamRowKind
{
    /// <summary>SQL condition of a resumed stream over <c>ai_performance_logs</c> columns.</summary>
    public const string ResumeSql =
        "(stream AND cache_status <> 'hit' AND dedupe_role IS NULL AND upstream_ms IS NULL AND attempts = 0 AND status_code < 400)";

    /// <summary>SQL condition of a dropped stream (failed or cancelled after it started).</summary>
    public const string DropSql = "(stream AND error IN ('failed', 'cancelled'))";

    /// <summary>Whether a row is a resumed stream; the C# twin of <see cref="ResumeSql"/>.</summary>
    public static bool IsResume(bool stream, string cacheStatus, string? dedupeRole, int? upstreamMs, int attempts, int statusCode)
        => stream && cacheStatus != "hit" && dedupeRole is null && upstreamMs is null && attempts == 0 && statusCode < 400;

    /// <summary>Whether a row is a dropped stream; the C# twin of <see cref="DropSql"/>.</summary>
    public static bool IsDrop(bool stream, string? error) => stream && error is "failed" or "cancelled";
}
