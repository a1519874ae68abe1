using System.Data.Common;

namespace AiGateway.Transforms.Orgs;

/// <summary>A settings row as either store reads it: its keys, its column values in <see cref="SettingsTable.Columns"/> order, and its <c>updated_at</c>.</summary>
/// <param name="Table">The table the row is of.</param>
/// <param name="Keys">The key values (org, or org and customer).</param>
/// <param name="Values">The column values (<see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="decimal"/> or null).</param>
/// <param name="UpdatedAt">When the row was last changed, by the store's clock.</param>
internal sealed record StoredSettings(SettingsTable Table, IReadOnlyList<string> Keys, IReadOnlyList<object?> Values, DateTimeOffset UpdatedAt)
{
    /// <summary>
    /// Reads the rows <paramref name="command"/> selects (<see cref="SettingsTable.Select"/>) from either database: both
    /// readers turn their own column types (0/1 and decimal text in the embedded store) into the values asked for.
    /// </summary>
    public static async Task<List<StoredSettings>> ReadAllAsync(SettingsTable table, DbCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<StoredSettings>();
        var keyCount = table.Keys.Count;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var keys = new string[keyCount];
            for (var i = 0; i < keyCount; i++)
            {
                keys[i] = reader.GetString(i);
            }

            var values = new object?[table.Columns.Count];
            for (var i = 0; i < values.Length; i++)
            {
                var ordinal = keyCount + i;
                values[i] = reader.IsDBNull(ordinal) ? null : table.Columns[i].Kind switch
                {
                    SettingsKind.Mode or SettingsKind.Logging => reader.GetString(ordinal),
                    SettingsKind.Flag => reader.GetBoolean(ordinal),
                    SettingsKind.Int => reader.GetInt32(ordinal),
                    SettingsKind.Long => reader.GetInt64(ordinal),
                    _ => (object)reader.GetDecimal(ordinal),
                };
            }

            rows.Add(new StoredSettings(table, keys, values, reader.GetFieldValue<DateTimeOffset>(keyCount + values.Length).ToUniversalTime()));
        }

        return rows;
    }

    /// <summary>The row as the org record (flags the store left null take their defaults).</summary>
    public OrgSettingsRow ToOrg() => new(new OrgAiSettings
    {
        OrgId = Keys[0],
        ModeDefault = (string?)Value("mode_default"),
        ClientModeOverride = (bool?)Value("client_mode_override") ?? true,
        CacheEnabled = (bool?)Value("cache_enabled") ?? true,
        CacheTtlSeconds = (int?)Value("cache_ttl_seconds"),
        DedupeEnabled = (bool?)Value("dedupe_enabled") ?? true,
        MonthlyTokenBudget = (long?)Value("monthly_token_budget"),
        MonthlyUsdBudget = (decimal?)Value("monthly_usd_budget"),
        HardBudget = (bool?)Value("hard_budget") ?? false,
        CustomersAllowed = (bool?)Value("customers_allowed") ?? false,
        RpmLimit = (int?)Value("rpm_limit"),
        TpmLimit = (long?)Value("tpm_limit"),
        MaxConcurrent = (int?)Value("max_concurrent"),
        PayloadLogging = (string?)Value("payload_logging") ?? PayloadLoggingName.Off,
    }, UpdatedAt);

    /// <summary>The row as the customer record (null = the org's value).</summary>
    public CustomerSettingsRow ToCustomer() => new(new CustomerAiSettings
    {
        OrgId = Keys[0],
        CustomerId = Keys[1],
        ModeDefault = (string?)Value("mode_default"),
        ClientModeOverride = (bool?)Value("client_mode_override"),
        CacheEnabled = (bool?)Value("cache_enabled"),
        CacheTtlSeconds = (int?)Value("cache_ttl_seconds"),
        DedupeEnabled = (bool?)Value("dedupe_enabled"),
        MonthlyTokenBudget = (long?)Value("monthly_token_budget"),
        MonthlyUsdBudget = (decimal?)Value("monthly_usd_budget"),
        HardBudget = (bool?)Value("hard_budget"),
        RpmLimit = (int?)Value("rpm_limit"),
        TpmLimit = (long?)Value("tpm_limit"),
        MaxConcurrent = (int?)Value("max_concurrent"),
        PayloadLogging = (string?)Value("payload_logging"),
    }, UpdatedAt);

    private object? Value(string column)
    {
        for (var i = 0; i < Table.Columns.Count; i++)
        {
            if (Table.Columns[i].Name == column)
            {
                return Values[i];
            }
        }

        return null;
    }
}
