using System.Globalization;
using System.Text;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>org_ai_settings</c> and <c>customer_ai_settings</c> in the embedded SQLite store; booleans are 0/1, money is exact decimal text.</summary>
internal sealed class SqliteSettingsStore(EmbeddedDatabase database) : ISettingsStore
{
    // The migration's default for updated_at: fixed-width ISO-8601 UTC text, so that it compares as text.
    private const string Now = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

    /// <inheritdoc/>
    public async Task<StoredSettings?> GetAsync(SettingsTable table, IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await ReadAsync(table, Select(connection, null, table, keys), cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<StoredSettings>> ChangedSinceAsync(SettingsTable table, DateTimeOffset? since, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = since is null ? $"SELECT {table.Select} FROM {table.Name}" : $"SELECT {table.Select} FROM {table.Name} WHERE updated_at > $since";
        if (since is { } after)
        {
            command.Parameters.AddWithValue("$since", after.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        }

        return await StoredSettings.ReadAllAsync(table, command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<StoredSettings> UpdateAsync(
        SettingsTable table, IReadOnlyList<string> keys, SettingsPatch patch, Func<StoredSettings?, StoredSettings, AuditChange> audit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // IMMEDIATE: the write lock is taken before the row is read, so that the entry's "before" is what the change replaced.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var before = (await ReadAsync(table, Select(connection, transaction, table, keys), cancellationToken)).FirstOrDefault();

        // Column names come from the SettingsTable, never from the request; values are parameters.
        await using var upsert = connection.CreateCommand();
        upsert.Transaction = transaction;
        AddKeys(upsert, table, keys);
        var names = new StringBuilder(string.Join(", ", table.Keys));
        var values = new StringBuilder(string.Join(", ", table.Keys.Select(k => "$" + k)));
        var updates = new StringBuilder();
        foreach (var (column, value) in patch.Values)
        {
            upsert.Parameters.AddWithValue("$" + column.Name, value switch
            {
                null => DBNull.Value,
                bool flag => flag ? 1 : 0,
                decimal usd => SqliteValues.Money(usd),
                _ => value,
            });
            names.Append(", ").Append(column.Name);
            values.Append(", $").Append(column.Name);
            updates.Append(column.Name).Append(" = excluded.").Append(column.Name).Append(", ");
        }

        upsert.CommandText = $"""
            INSERT INTO {table.Name} ({names}) VALUES ({values})
            ON CONFLICT ({string.Join(", ", table.Keys)}) DO UPDATE SET {updates}updated_at = {Now}
            RETURNING {table.Select}
            """;
        var after = (await StoredSettings.ReadAllAsync(table, upsert, cancellationToken))[0];
        await SqliteAuditLog.AppendAsync(connection, transaction, audit(before, after), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return after;
    }

    private static SqliteCommand Select(SqliteConnection connection, SqliteTransaction? transaction, SettingsTable table, IReadOnlyList<string> keys)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT {table.Select} FROM {table.Name} WHERE {string.Join(" AND ", table.Keys.Select(k => $"{k} = ${k}"))}";
        AddKeys(command, table, keys);
        return command;
    }

    private static void AddKeys(SqliteCommand command, SettingsTable table, IReadOnlyList<string> keys)
    {
        for (var i = 0; i < keys.Count; i++)
        {
            command.Parameters.AddWithValue("$" + table.Keys[i], keys[i]);
        }
    }

    private static async Task<List<StoredSettings>> ReadAsync(SettingsTable table, SqliteCommand command, CancellationToken cancellationToken)
    {
        await using (command)
        {
            return await StoredSettings.ReadAllAsync(table, command, cancellationToken);
        }
    }
}
