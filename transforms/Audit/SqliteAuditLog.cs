using System.Text;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Audit;

/// <summary><c>admin_audit_log</c> in the embedded store: JSON as text, <c>ts</c> as the fixed-width ISO-8601 text of <see cref="SqliteValues.Time"/>.</summary>
internal sealed class SqliteAuditLog(EmbeddedDatabase database) : IAuditLog
{
    /// <summary>
    /// Appends <paramref name="change"/> on <paramref name="connection"/>, inside <paramref name="transaction"/> when the
    /// caller records a change of its own rows (the change and its entry then commit or roll back together).
    /// </summary>
    /// <exception cref="AuditUnavailableException">The entry could not be written.</exception>
    public static async Task AppendAsync(SqliteConnection connection, SqliteTransaction? transaction, AuditChange change, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        // The time is written here, in the same text form the queries compare with, not by the column's default.
        command.CommandText = """
            INSERT INTO admin_audit_log (ts, actor, action, target, before, after, source_ip)
            VALUES ($ts, $actor, $action, $target, $before, $after, $ip)
            """;
        command.Parameters.AddWithValue("$ts", SqliteValues.Time(DateTimeOffset.UtcNow));
        command.Parameters.AddWithValue("$actor", change.Actor.Name);
        command.Parameters.AddWithValue("$action", change.Action);
        command.Parameters.AddWithValue("$target", change.Target);
        command.Parameters.AddWithValue("$before", (object?)change.Before ?? DBNull.Value);
        command.Parameters.AddWithValue("$after", (object?)change.After ?? DBNull.Value);
        command.Parameters.AddWithValue("$ip", (object?)change.Actor.SourceIp ?? DBNull.Value);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new AuditUnavailableException(ex);
        }
    }

    /// <inheritdoc/>
    public async Task RecordAsync(AuditActor actor, string action, string target, string? before, string? after, CancellationToken cancellationToken)
    {
        SqliteConnection connection;
        try
        {
            connection = await database.OpenAsync(cancellationToken);
        }
        catch (SqliteException ex)
        {
            throw new AuditUnavailableException(ex);
        }

        await using (connection)
        {
            await AppendAsync(connection, null, new AuditChange(actor, action, target, before, after), cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new StringBuilder("1 = 1");
        void Add(string condition, string name, object value)
        {
            command.Parameters.AddWithValue(name, value);
            where.Append(" AND ").Append(condition).Append(' ').Append(name);
        }

        if (query.From is { } from)
        {
            Add("ts >=", "$from", SqliteValues.Time(from));
        }

        if (query.To is { } to)
        {
            Add("ts <", "$to", SqliteValues.Time(to));
        }

        if (query.Target is { } target)
        {
            Add("target =", "$target", target);
        }

        if (query.Action is { } action)
        {
            Add("action =", "$action", action);
        }

        command.CommandText = $"""
            SELECT id, ts, actor, action, target, before, after, source_ip FROM admin_audit_log
            WHERE {where} ORDER BY ts DESC, id DESC LIMIT {query.Limit}
            """;
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), SqliteValues.ParseTime(reader.GetString(1)), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }
}
