using System.Text;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>org_ai_settings</c> and <c>customer_ai_settings</c> in Postgres.</summary>
internal sealed class PostgresSettingsStore(PostgresDatabase database) : ISettingsStore
{
    /// <inheritdoc/>
    public async Task<StoredSettings?> GetAsync(SettingsTable table, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {table.Select} FROM {table.Name} WHERE {KeyMatch(table)}");
        AddKeys(command, keys);
        var rows = await StoredSettings.ReadAllAsync(table, command, cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredSettings>> ChangedSinceAsync(SettingsTable table, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            since is null ? $"SELECT {table.Select} FROM {table.Name}" : $"SELECT {table.Select} FROM {table.Name} WHERE updated_at > $1");
        if (since is { } after)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = after.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        }

        return await StoredSettings.ReadAllAsync(table, command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StoredSettings> UpdateAsync(
        SettingsTable table, IReadOnlyList<string> keys, SettingsPatch patch, Func<StoredSettings?, StoredSettings, AuditChange> audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // The row before, locked until the change commits, so that the entry's "before" is what the change replaced.
        await using var read = new NpgsqlCommand($"SELECT {table.Select} FROM {table.Name} WHERE {KeyMatch(table)} FOR UPDATE", connection, transaction);
        AddKeys(read, keys);
        var before = (await StoredSettings.ReadAllAsync(table, read, cancellationToken)).FirstOrDefault();

        // Column names come from the SettingsTable, never from the request; values are parameters.
        await using var upsert = new NpgsqlCommand { Connection = connection, Transaction = transaction };
        AddKeys(upsert, keys);
        var names = new StringBuilder(string.Join(", ", table.Keys));
        var values = new StringBuilder(string.Join(", ", table.Keys.Select((_, i) => "$" + (i + 1))));
        var updates = new StringBuilder();
        foreach (var (column, value) in patch.Values)
        {
            upsert.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = TypeOf(column.Kind) });
            names.Append(", ").Append(column.Name);
            values.Append(", $").Append(upsert.Parameters.Count);
            updates.Append(column.Name).Append(" = EXCLUDED.").Append(column.Name).Append(", ");
        }

        upsert.CommandText = $"""
            INSERT INTO {table.Name} ({names}) VALUES ({values})
            ON CONFLICT ({string.Join(", ", table.Keys)}) DO UPDATE SET {updates}updated_at = now()
            RETURNING {table.Select}
            """;
        var after = (await StoredSettings.ReadAllAsync(table, upsert, cancellationToken))[0];
        await PostgresAuditLog.AppendAsync(connection, transaction, audit(before, after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return after;
    }

    private static string KeyMatch(SettingsTable table) =>
        string.Join(" AND ", table.Keys.Select((key, i) => $"{key} = ${i + 1}"));

    private static void AddKeys(NpgsqlCommand command, IReadOnlyList<string> keys)
    {
        foreach (var key in keys)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = key, NpgsqlDbType = NpgsqlDbType.Text });
        }
    }

    private static NpgsqlDbType TypeOf(SettingsKind kind) => kind switch
    {
        SettingsKind.Mode or SettingsKind.Logging => NpgsqlDbType.Text,
        SettingsKind.Flag => NpgsqlDbType.Boolean,
        SettingsKind.Int => NpgsqlDbType.Integer,
        SettingsKind.Long => NpgsqlDbType.Bigint,
        _ => NpgsqlDbType.Numeric,
    };
}
