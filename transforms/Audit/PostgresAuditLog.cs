using System.Data.Common;
using System.Text;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Audit;

/// <summary><c>admin_audit_log</c> in Postgres: <c>before</c> and <c>after</c> are <c>jsonb</c>, <c>ts</c> the transaction's <c>now()</c>.</summary>
internal sealed class PostgresAuditLog(PostgresDatabase database) : IAuditLog
{
    /// <summary>
    /// Appends <paramref name="change"/> on <paramref name="connection"/>, inside <paramref name="transaction"/> when the
    /// caller records a change of its own rows (the change and its entry then commit or roll back together).
    /// </summary>
    /// <exception cref="AuditUnavailableException">The entry could not be written.</exception>
    public static async Task AppendAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, AuditChange change, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            "INSERT INTO admin_audit_log (actor, action, target, before, after, source_ip) VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6)",
            connection, transaction);
        command.Parameters.Add(new NpgsqlParameter { Value = change.Actor.Name, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = change.Action, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = change.Target, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)change.Before ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)change.After ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)change.Actor.SourceIp ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (DbException ex)
        {
            throw new AuditUnavailableException(ex);
        }
    }

    /// <inheritdoc/>
    public async Task RecordAsync(AuditActor actor, string action, string target, string? before, string? after, CancellationToken cancellationToken)
    {
        NpgsqlConnection connection;
        try
        {
            connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (DbException ex)
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
        await using var command = database.DataSource.CreateCommand();
        var where = new StringBuilder("true");
        void Add(string condition, object value, NpgsqlDbType type)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            where.Append(" AND ").Append(condition).Append(" $").Append(command.Parameters.Count);
        }

        if (query.From is { } from)
        {
            Add("ts >=", from.UtcDateTime, NpgsqlDbType.TimestampTz);
        }

        if (query.To is { } to)
        {
            Add("ts <", to.UtcDateTime, NpgsqlDbType.TimestampTz);
        }

        if (query.Target is { } target)
        {
            Add("target =", target, NpgsqlDbType.Text);
        }

        if (query.Action is { } action)
        {
            Add("action =", action, NpgsqlDbType.Text);
        }

        command.CommandText = $"""
            SELECT id, ts, actor, action, target, before::text, after::text, source_ip FROM admin_audit_log
            WHERE {where} ORDER BY ts DESC, id DESC LIMIT {query.Limit}
            """;
        var entries = new List<AuditEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7)));
        }

        return entries;
    }
}
