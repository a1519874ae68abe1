namespace AiGateway.Transforms.Storage;

/// <summary>
/// Migration scripts that earlier builds applied and later builds replaced: a database's journal may name them, and
/// they are known, not a sign of a newer gateway. Each is listed with what took its place.
/// </summary>
internal static class RetiredMigrations
{
    /// <summary>The retired Postgres scripts and what replaced them.</summary>
    public static readonly IReadOnlyDictionary<string, string> Postgres = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Shipped at dfff36a; replaced by 0004_cost_daily_hot_updates.sql under the same number, its index dropped by 0006.
        ["0004_cost_daily_finance_index.sql"] = "0006_drop_daily_finance_index.sql",
    };
}
