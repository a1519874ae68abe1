using System.Text;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>org_ai_settings</c> in the embedded SQLite store; booleans are 0/1, money is exact decimal text.</summary>
internal sealed class SqliteOrgSettingsStore(EmbeddedDatabase database) : IOrgSettingsStore
{
    private const string Columns =
        "org_id, mode_default, client_mode_override, cache_enabled, cache_ttl_seconds, dedupe_enabled, monthly_token_budget, monthly_usd_budget, hard_budget, updated_at";

    // The migration's default for updated_at: fixed-width ISO-8601 UTC text, so that it compares as text.
    private const string Now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    /// <inheritdoc/>
    public async Task<OrgSettingsRow?> GetAsync(string orgId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM org_ai_settings WHERE org_id = $org";
        command.Parameters.AddWithValue("$org", orgId);
        var rows = await ReadAsync(command, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OrgSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = since is null ? $"SELECT {Columns} FROM org_ai_settings" : $"SELECT {Columns} FROM org_ai_settings WHERE updated_at > $since";
        if (since is { } after)
        {
            command.Parameters.AddWithValue("$since", after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
        }

        return await ReadAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<OrgSettingsRow> UpdateAsync(string orgId, OrgSettingsPatch patch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Column names come from OrgSettingsPatch.Fields, never from the request; values are parameters.
        var names = new StringBuilder("org_id");
        var values = new StringBuilder("$org");
        var updates = new StringBuilder();
        command.Parameters.AddWithValue("$org", orgId);
        foreach (var (column, value) in patch.Values)
        {
            command.Parameters.AddWithValue("$" + column, value switch
            {
                null => DBNull.Value,
                bool flag => flag ? 1 : 0,
                decimal usd => SqliteValues.Money(usd),
                _ => value,
            });
            names.Append(", ").Append(column);
            values.Append(", $").Append(column);
            updates.Append(column).Append(" = excluded.").Append(column).Append(", ");
        }

        command.CommandText = $"""
            INSERT INTO org_ai_settings ({names}) VALUES ({values})
            ON CONFLICT (org_id) DO UPDATE SET {updates}updated_at = {Now}
            RETURNING {Columns}
            """;
        return (await ReadAsync(command, cancellationToken))[0];
    }

    private static async Task<List<OrgSettingsRow>> ReadAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<OrgSettingsRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var settings = new OrgAiSettings
            {
                OrgId = reader.GetString(0),
                ModeDefault = reader.IsDBNull(1) ? null : reader.GetString(1),
                ClientModeOverride = reader.GetInt64(2) != 0,
                CacheEnabled = reader.GetInt64(3) != 0,
                CacheTtlSeconds = reader.IsDBNull(4) ? null : (int)reader.GetInt64(4),
                DedupeEnabled = reader.GetInt64(5) != 0,
                MonthlyTokenBudget = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                MonthlyUsdBudget = reader.IsDBNull(7) ? null : SqliteValues.ParseMoney(reader.GetString(7)),
                HardBudget = reader.GetInt64(8) != 0,
            };
            rows.Add(new OrgSettingsRow(settings, SqliteValues.ParseTime(reader.GetString(9))));
        }

        return rows;
    }
}
