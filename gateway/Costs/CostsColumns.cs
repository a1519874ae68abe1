namespace AiGateway.Costs;

/// <summary>The columns of the costs export (CONTRACT §10.8), named as the stores' SQL names them.</summary>
internal static class CostsColumns
{
    /// <summary>
    /// The rollups' customer column, or null while they have none. Migration 0007 (governance) adds <c>customer_id</c> to
    /// <c>ai_cost_daily</c> and <c>ai_cost_monthly</c>; setting this to <c>"customer_id"</c> then fills the column and accepts
    /// <c>customer=</c>, in both stores.
    /// </summary>
    public static readonly string? Customer = null;

    /// <summary>The header row, in order; each store's query names its columns exactly so.</summary>
    public static readonly string[] Header =
        ["period", "org_id", "customer_id", "route", "model", "requests", "cache_hits", "prompt_tokens", "completion_tokens", "cost_usd", "saved_usd"];

    /// <summary>The SQL of the customer column: the column itself, or a typed null (empty in the CSV) while the rollups have none.</summary>
    public static string CustomerSql => Customer ?? "CAST(NULL AS text)";
}
