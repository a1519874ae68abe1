namespace AiGateway.Metrics;

/// <summary>
/// How the metrics tell stream rows apart, in SQL and in C# alike, from what the rows record (CONTRACT §10.1, §10.6),
/// not inferred: a resume is a stream row whose <c>dedupe_role</c> is <c>resumer</c> (with the client's reconnect number
/// in <c>client_attempt</c>); a drop, a stream that failed or whose client left before its end without releasing it; a
/// fallback, the stream client's non-streamed request (<c>client_fallback</c>); a stop, a call its app released
/// (<c>stop()</c>) or an operator cancelled.
/// </summary>
internal static class StreamRowKind
{
    /// <summary>SQL condition of a resumed stream over <c>ai_performance_logs</c> columns.</summary>
    // IS NOT DISTINCT FROM: the condition is also negated (live streams), and a NULL role must count as not a resume.
    public const string ResumeSql = "(stream AND dedupe_role IS NOT DISTINCT FROM 'resumer')";

    /// <summary>SQL condition of a resume the client made at its second reconnect or later.</summary>
    public const string RetriedResumeSql = "(stream AND dedupe_role = 'resumer' AND client_attempt >= 2)";

    /// <summary>SQL condition of a dropped stream.</summary>
    public const string DropSql = "(stream AND error IN ('failed', 'client_gone'))";

    /// <summary>SQL condition of the stream client's non-streamed fallback.</summary>
    public const string FallbackSql = "(client_fallback)";

    /// <summary>SQL condition of a stopped call.</summary>
    public const string StopSql = "(error IN ('released', 'cancelled'))";

    /// <summary>Whether a row is a resumed stream; the C# twin of <see cref="ResumeSql"/>.</summary>
    public static bool IsResume(bool stream, string? dedupeRole) => stream && dedupeRole == "resumer";

    /// <summary>Whether a row is a resume at the second reconnect or later; the C# twin of <see cref="RetriedResumeSql"/>.</summary>
    public static bool IsRetriedResume(bool stream, string? dedupeRole, int? clientAttempt) => IsResume(stream, dedupeRole) && clientAttempt >= 2;

    /// <summary>Whether a row is a dropped stream; the C# twin of <see cref="DropSql"/>.</summary>
    public static bool IsDrop(bool stream, string? error) => stream && error is "failed" or "client_gone";

    /// <summary>Whether a row is a stopped call; the C# twin of <see cref="StopSql"/>.</summary>
    public static bool IsStop(string? error) => error is "released" or "cancelled";
}
