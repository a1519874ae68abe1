using System.Text;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>org_ai_settings</c> in Postgres.</summary>
internal sealed class PostgresOrgSettingsStore(PostgresDatabase database) : IOrgSettingsStore
{
    private const string Columns =
        "org_id, mode_default, client_mode_override, cache_enabled, cache_ttl_seconds, dedupe_enabled, monthly_token_budget, monthly_usd_budget, hard_budget, updated_at";

    /// <inheritdoc/>
    public async Task<OrgSettingsRow?> GetAsync(string orgId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM org_ai_settings WHERE org_id = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = orgId, NpgsqlDbType = NpgsqlDbType.Text });
        var rows = await ReadAsync(command, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OrgSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            since is null ? $"SELECT {Columns} FROM org_ai_settings" : $"SELECT {Columns} FROM org_ai_settings WHERE updated_at > $1");
        if (since is { } after)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        return await ReadAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<OrgSettingsRow> UpdateAsync(string orgId, OrgSettingsPatch patch, CancellationToken cancellationToken)
    {
        // Column names come from OrgSettingsPatch.Fields, never from the request; values are parameters.
        var names = new StringBuilder("org_id");
        var values = new StringBuilder("$1");
        var updates = new StringBuilder();
        await using var command = database.DataSource.CreateCommand();
        command.Parameters.Add(new NpgsqlParameter { Value = orgId, NpgsqlDbType = NpgsqlDbType.Text });
        foreach (var (column, value) in patch.Values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = TypeOf(column) });
            names.Append(", ").Append(column);
            values.Append(", $").Append(command.Parameters.Count);
            updates.Append(column).Append(" = EXCLUDED.").Append(column).Append(", ");
        }

        command.CommandText = $"""
            INSERT INTO org_ai_settings ({names}) VALUES ({values})
            ON CONFLICT (org_id) DO UPDATE SET {updates}updated_at = now()
            RETURNING {Columns}
            """;
        return (await ReadAsync(command, cancellationToken))[0];
    }

    private static NpgsqlDbType TypeOf(string column) => column switch
    {
        "mode_default" => NpgsqlDbType.Text,
        "cache_ttl_seconds" => NpgsqlDbType.Integer,
        "monthly_token_budget" => NpgsqlDbType.Bigint,
        "monthly_usd_budget" => NpgsqlDbType.Numeric,
        _ => NpgsqlDbType.Boolean,
    };

    private static async Task<List<OrgSettingsRow>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var rows = new List<OrgSettingsRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var settings = new OrgAiSettings
            {
                OrgId = reader.GetString(0),
                ModeDefault = reader.IsDBNull(1) ? null : reader.GetString(1),
                ClientModeOverride = reader.GetBoolean(2),
                CacheEnabled = reader.GetBoolean(3),
                CacheTtlSeconds = reader.IsDBNull(4) ? null : reader.GetInt32(4),
                DedupeEnabled = reader.GetBoolean(5),
                MonthlyTokenBudget = reader.IsDBNull(6) ? null : reader.GetInt64(6),
                MonthlyUsdBudget = reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                HardBudget = reader.GetBoolean(8),
            };
            rows.Add(new OrgSettingsRow(settings, reader.GetFieldValue<DateTimeOffset>(9)));
        }

        return rows;
    }
}
