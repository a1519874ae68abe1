namespace AiGateway.Transforms.Payloads;

/// <summary>The filters of <c>GET /api/logs</c>: each null one matches every call.</summary>
/// <param name="OrgId">The org.</param>
/// <param name="CustomerId">The customer.</param>
/// <param name="Route">The route.</param>
/// <param name="Model">The model asked for or used.</param>
/// <param name="Status">The HTTP status sent to the client.</param>
/// <param name="From">The earliest call start (inclusive).</param>
/// <param name="To">The latest call start (exclusive).</param>
/// <param name="Text">Text the stored request or response holds (case-insensitive), or null.</param>
/// <param name="Limit">Most calls returned, newest first.</param>
internal sealed record LogSearch(
    string? OrgId, string? CustomerId, string? Route, string? Model, int? Status, DateTimeOffset? From, DateTimeOffset? To, string? Text, int Limit)
{
    /// <summary>The default number of calls returned.</summary>
    public const int DefaultLimit = 50;

    /// <summary>The most calls one search returns.</summary>
    public const int MaxLimit = 500;

    /// <summary>The columns of each call found, as both stores select them (has_payload last).</summary>
    public const string Columns = "l.id, l.ts, l.org_id, l.customer_id, l.route, l.endpoint, l.model_requested, l.model_used, l.stream, l.status_code, "
        + "l.cache_status, l.dedupe_role, l.cost_usd, l.duration_ms, l.error";

    /// <summary><see cref="Text"/> as a LIKE pattern: its <c>%</c>, <c>_</c> and <c>\</c> escaped (with <c>\</c>), wrapped in <c>%</c>.</summary>
    public string? LikePattern => Text is null ? null
        : "%" + Text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
}
