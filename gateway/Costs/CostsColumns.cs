namespace AiGateway.Costs;

/// <summary>The columns of the costs export (CONTRACT §10.8), named as the stores' SQL names them.</summary>
internal static class CostsColumns
{
    /// <summary>
    /// The rollups' customer column ('' for calls without a customer), or null for rollups without one: then the CSV's
    /// column is empty and <c>customer=</c> is refused. Migration 0007 (governance) added it to both stores.
    /// </summary>
    public static readonly string? Customer = "customer_id";

    /// <summary>The header row, in order; each store's query names its columns exactly so.</summary>
    public static readonly string[] Header =
        ["period", "org_id", "customer_id", "route", "model", "requests", "cache_hits", "prompt_tokens", "completion_tokens", "cost_usd", "saved_usd"];

    /// <summary>The SQL of the customer column: the column itself, or a typed null (empty in the CSV) while the rollups have none.</summary>
    public static string CustomerSql => Customer ?? "CAST(NULL AS text)";
}
