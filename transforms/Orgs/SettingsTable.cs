using AiGateway.Transforms.Errors;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// The two settings tables, defined once: <c>org_ai_settings</c> (keyed by org; flags NOT NULL with defaults) and
/// <c>customer_ai_settings</c> (keyed by org and customer; every column nullable, null = the org's value). The stores,
/// the patch parser and the JSON writer all read their columns from here.
/// </summary>
internal sealed class SettingsTable
{
    private const int MaxTtlSeconds = 31536000;

    private static readonly SettingsColumn[] Shared =
    [
        new("mode_default", SettingsKind.Mode, 0, 0, o => o.ModeDefault, c => c.ModeDefault),
        new("client_mode_override", SettingsKind.Flag, 0, 0, o => o.ClientModeOverride, c => c.ClientModeOverride),
        new("cache_enabled", SettingsKind.Flag, 0, 0, o => o.CacheEnabled, c => c.CacheEnabled),
        new("cache_ttl_seconds", SettingsKind.Int, 0, MaxTtlSeconds, o => o.CacheTtlSeconds, c => c.CacheTtlSeconds),
        new("dedupe_enabled", SettingsKind.Flag, 0, 0, o => o.DedupeEnabled, c => c.DedupeEnabled),
        new("monthly_token_budget", SettingsKind.Long, 0, long.MaxValue, o => o.MonthlyTokenBudget, c => c.MonthlyTokenBudget),
        new("monthly_usd_budget", SettingsKind.Usd, 0, JsonFields.MaxUsd, o => o.MonthlyUsdBudget, c => c.MonthlyUsdBudget),
        new("hard_budget", SettingsKind.Flag, 0, 0, o => o.HardBudget, c => c.HardBudget),
        new("rpm_limit", SettingsKind.Int, 1, JsonFields.MaxRpm, o => o.RpmLimit, c => c.RpmLimit),
        new("tpm_limit", SettingsKind.Long, 1, JsonFields.MaxTpm, o => o.TpmLimit, c => c.TpmLimit),
        new("max_concurrent", SettingsKind.Int, 1, JsonFields.MaxConcurrent, o => o.MaxConcurrent, c => c.MaxConcurrent),
        new("payload_logging", SettingsKind.Logging, 0, 0, o => o.PayloadLogging, c => c.PayloadLogging),
    ];

    private SettingsTable(string name, IReadOnlyList<string> keys, IReadOnlyList<SettingsColumn> columns, bool inherits)
    {
        Name = name;
        Keys = keys;
        Columns = columns;
        Inherits = inherits;
        Select = string.Join(", ", keys.Concat(columns.Select(c => c.Name)).Append("updated_at"));
    }

    /// <summary><c>org_ai_settings</c>.</summary>
    public static SettingsTable Org { get; } = new("org_ai_settings", ["org_id"],
        [.. Shared, new("customers_allowed", SettingsKind.Flag, 0, 0, o => o.CustomersAllowed, null)], inherits: false);

    /// <summary><c>customer_ai_settings</c>.</summary>
    public static SettingsTable Customer { get; } = new("customer_ai_settings", ["org_id", "customer_id"], Shared, inherits: true);

    /// <summary>The table's name.</summary>
    public string Name { get; }

    /// <summary>Its key columns, in key order.</summary>
    public IReadOnlyList<string> Keys { get; }

    /// <summary>The settings a patch may set, in the order the API writes them.</summary>
    public IReadOnlyList<SettingsColumn> Columns { get; }

    /// <summary>Whether every column may be null (= the org's value); otherwise only those that are not flags.</summary>
    public bool Inherits { get; }

    /// <summary>The select list of a row: keys, columns, <c>updated_at</c>.</summary>
    public string Select { get; }

    /// <summary>The names a request body may hold: the keys (which it may only repeat) and the columns.</summary>
    public IReadOnlyList<string> Fields => [.. Keys, .. Columns.Select(c => c.Name)];

    /// <summary>The column named <paramref name="name"/>, or null.</summary>
    public SettingsColumn? Find(string name) => Columns.FirstOrDefault(c => c.Name == name);

    /// <summary>The values of an org's record, in column order.</summary>
    public object?[] ValuesOf(OrgAiSettings settings) => [.. Columns.Select(c => c.OfOrg(settings))];

    /// <summary>The values of a customer's record, in column order.</summary>
    public object?[] ValuesOf(CustomerAiSettings settings) => [.. Columns.Select(c => c.OfCustomer!(settings))];
}
