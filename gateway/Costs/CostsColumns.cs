namespace AiGateway.Costs;

/// <summary>The columns of the costs export (CONTRACT §10.8), named as the stores' SQL names them.</summary>
internal static class CostsColumns
{
    /// <summary>The header row, in order; each store's query names its columns exactly so.</summary>
    public static readonly string[] Header =
        ["period", "org_id", "customer_id", "route", "model", "requests", "cache_hits", "prompt_tokens", "completion_tokens", "cost_usd", "saved_usd"];

    /// <summary>The rollups' customer column ('' for calls made for no customer, an empty CSV field).</summary>
    public const string CustomerSql = "customer_id";
}
