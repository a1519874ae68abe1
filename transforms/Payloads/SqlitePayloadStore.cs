using System.Globalization;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Payloads;

/// <summary><c>ai_payloads</c> in the embedded store: a batch in one transaction; retention deletes by <c>ts</c> (no partitions in SQLite).</summary>
internal sealed class SqlitePayloadStore(EmbeddedDatabase database) : IPayloadStore
{
    // The embedded log's columns stored as 0/1 and as exact decimal text, shown as what they are.
    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "stream", "usage_estimated", "usage_unreported", "client_fallback", "has_payload" };
    private static readonly HashSet<string> Money = new(StringComparer.Ordinal) { "cost_usd", "saved_usd" };

    private const string Columns = "request_id, ts, org_id, customer_id, level, request_body, response_body, truncated, redactions";

    /// <inheritdoc/>
    public async Task WriteAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = $"INSERT OR IGNORE INTO ai_payloads ({Columns}) VALUES ($id, $ts, $org, $customer, $level, $request, $response, $truncated, $redactions)";
        var parameters = new[] { "$id", "$ts", "$org", "$customer", "$level", "$request", "$response", "$truncated", "$redactions" }
            .Select(name => insert.Parameters.Add(name, SqliteType.Text)).ToArray();
        parameters[7].SqliteType = SqliteType.Integer;
        foreach (var record in batch)
        {
            parameters[0].Value = record.RequestId.ToString("D");
            parameters[1].Value = SqliteValues.Time(record.Ts);
            parameters[2].Value = record.OrgId;
            parameters[3].Value = (object?)record.CustomerId ?? DBNull.Value;
            parameters[4].Value = record.Level;
            parameters[5].Value = (object?)record.RequestBody ?? DBNull.Value;
            parameters[6].Value = (object?)record.ResponseBody ?? DBNull.Value;
            parameters[7].Value = record.Truncated ? 1 : 0;
            parameters[8].Value = (object?)record.Redactions ?? DBNull.Value;
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<long> MaintainAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM ai_payloads WHERE ts < $cutoff";
        delete.Parameters.AddWithValue("$cutoff", SqliteValues.Time(PayloadDays.RetentionCutoff(now, retentionDays)));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<long> EraseAsync(string orgId, string? customerId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var erase = connection.CreateCommand();
        erase.CommandText = "DELETE FROM ai_payloads WHERE org_id = $org AND ($customer IS NULL OR customer_id = $customer)";
        erase.Parameters.AddWithValue("$org", orgId);
        erase.Parameters.AddWithValue("$customer", (object?)customerId ?? DBNull.Value);
        return await erase.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>>> SearchAsync(LogSearch search, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // SQLite's LIKE ignores the case of ASCII letters, as ILIKE does.
        command.CommandText = $"""
            SELECT {LogSearch.Columns}, p.request_id IS NOT NULL AS has_payload
            FROM ai_performance_logs l LEFT JOIN ai_payloads p ON p.request_id = l.id
            WHERE ($org IS NULL OR l.org_id = $org) AND ($customer IS NULL OR l.customer_id = $customer)
              AND ($route IS NULL OR l.route = $route) AND ($model IS NULL OR l.model_used = $model OR l.model_requested = $model)
              AND ($status IS NULL OR l.status_code = $status) AND ($from IS NULL OR l.ts >= $from) AND ($to IS NULL OR l.ts < $to)
              AND ($q IS NULL OR p.request_body LIKE $q ESCAPE '\' OR p.response_body LIKE $q ESCAPE '\')
            ORDER BY l.ts DESC LIMIT $limit
            """;
        command.Parameters.AddWithValue("$org", (object?)search.OrgId ?? DBNull.Value);
        command.Parameters.AddWithValue("$customer", (object?)search.CustomerId ?? DBNull.Value);
        command.Parameters.AddWithValue("$route", (object?)search.Route ?? DBNull.Value);
        command.Parameters.AddWithValue("$model", (object?)search.Model ?? DBNull.Value);
        command.Parameters.AddWithValue("$status", (object?)search.Status ?? DBNull.Value);
        command.Parameters.AddWithValue("$from", search.From is { } from ? SqliteValues.Time(from) : DBNull.Value);
        command.Parameters.AddWithValue("$to", search.To is { } to ? SqliteValues.Time(to) : DBNull.Value);
        command.Parameters.AddWithValue("$q", (object?)search.LikePattern ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", search.Limit);
        var calls = new List<IReadOnlyList<KeyValuePair<string, object?>>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            calls.Add(RowOf(reader));
        }

        return calls;
    }

    /// <inheritdoc/>
    public async Task<LoggedCall?> ReadAsync(Guid requestId, CancellationToken cancellationToken)
    {
        var id = requestId.ToString("D");
        await using var connection = await database.OpenAsync(cancellationToken);
        List<KeyValuePair<string, object?>>? row = null;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = "SELECT * FROM ai_performance_logs WHERE id = $id LIMIT 1";
            read.Parameters.AddWithValue("$id", id);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                row = RowOf(reader);
            }
        }

        PayloadRecord? payload = null;
        await using (var read = connection.CreateCommand())
        {
            read.CommandText = $"SELECT {Columns} FROM ai_payloads WHERE request_id = $id";
            read.Parameters.AddWithValue("$id", id);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                payload = new PayloadRecord
                {
                    RequestId = Guid.Parse(reader.GetString(0), CultureInfo.InvariantCulture),
                    Ts = SqliteValues.ParseTime(reader.GetString(1)),
                    OrgId = reader.GetString(2),
                    CustomerId = reader.IsDBNull(3) ? null : reader.GetString(3),
                    Level = reader.GetString(4),
                    RequestBody = reader.IsDBNull(5) ? null : reader.GetString(5),
                    ResponseBody = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Truncated = reader.GetInt64(7) != 0,
                    Redactions = reader.IsDBNull(8) ? null : reader.GetString(8),
                };
            }
        }

        return row is null && payload is null ? null : new LoggedCall(row, payload);
    }

    private static List<KeyValuePair<string, object?>> RowOf(SqliteDataReader reader)
    {
        var row = new List<KeyValuePair<string, object?>>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var name = reader.GetName(i);
            row.Add(new(name, reader.IsDBNull(i) ? null
                : Flags.Contains(name) ? reader.GetInt64(i) != 0
                : Money.Contains(name) ? SqliteValues.ParseMoney(reader.GetString(i))
                : name == "ts" ? SqliteValues.ParseTime(reader.GetString(i))
                : reader.GetValue(i)));
        }

        return row;
    }
}
