using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// <c>ai_payloads</c> in Postgres: batches by binary COPY (as the cost log), day partitions made ahead and on demand,
/// retention by dropping whole days.
/// </summary>
internal sealed class PostgresPayloadStore(PostgresDatabase database) : IPayloadStore
{
    private const string Columns = "request_id, ts, org_id, customer_id, level, request_body, response_body, truncated, redactions";

    // SQLSTATE 23505: a payload of the batch is stored already; 23514: its day has no partition (dropped meanwhile).
    private const string AlreadyStored = "23505";
    private const string NoPartition = "23514";

    private readonly HashSet<DateTimeOffset> _days = [];
    private readonly Lock _daysGate = new();

    /// <inheritdoc/>
    public async Task WriteAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await EnsureDaysAsync(batch, cancellationToken);
        try
        {
            await CopyAsync(batch, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == NoPartition)
        {
            Forget();
            await EnsureDaysAsync(batch, cancellationToken);
            await CopyAsync(batch, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == AlreadyStored)
        {
            await InsertEachAsync(batch, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<long> MaintainAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using (var ensure = new NpgsqlCommand("SELECT aigw_ensure_payload_partitions(@from, 2)", connection))
        {
            ensure.Parameters.AddWithValue("from", PayloadDays.Start(now));
            await ensure.ExecuteScalarAsync(cancellationToken);
        }

        await using var drop = new NpgsqlCommand("SELECT aigw_drop_payload_partitions(@before)", connection);
        drop.Parameters.AddWithValue("before", PayloadDays.RetentionCutoff(now, retentionDays));
        var dropped = (int)(await drop.ExecuteScalarAsync(cancellationToken))!;
        Forget();
        return dropped;
    }

    /// <inheritdoc/>
    public async Task<long> EraseAsync(string orgId, string? customerId, CancellationToken cancellationToken)
    {
        await using var erase = database.DataSource.CreateCommand(
            "DELETE FROM ai_payloads WHERE org_id = $1 AND ($2::text IS NULL OR customer_id = $2)");
        erase.Parameters.Add(new NpgsqlParameter { Value = orgId, NpgsqlDbType = NpgsqlDbType.Text });
        erase.Parameters.Add(new NpgsqlParameter { Value = (object?)customerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await erase.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>>> SearchAsync(LogSearch search, CancellationToken cancellationToken)
    {
        // The text search is ILIKE over the payloads of the calls the other filters leave (their join is by id and ts,
        // so by partition): no trigram index, which would need pg_trgm installed and double every payload write.
        await using var command = database.DataSource.CreateCommand($"""
            SELECT {LogSearch.Columns}, p.request_id IS NOT NULL AS has_payload
            FROM ai_performance_logs l LEFT JOIN ai_payloads p ON p.request_id = l.id AND p.ts = l.ts
            WHERE ($1::text IS NULL OR l.org_id = $1) AND ($2::text IS NULL OR l.customer_id = $2)
              AND ($3::text IS NULL OR l.route = $3) AND ($4::text IS NULL OR l.model_used = $4 OR l.model_requested = $4)
              AND ($5::integer IS NULL OR l.status_code = $5) AND ($6::timestamptz IS NULL OR l.ts >= $6)
              AND ($7::timestamptz IS NULL OR l.ts < $7)
              AND ($8::text IS NULL OR p.request_body ILIKE $8 OR p.response_body ILIKE $8)
            ORDER BY l.ts DESC LIMIT $9
            """);
        Add(command, search.OrgId, NpgsqlDbType.Text);
        Add(command, search.CustomerId, NpgsqlDbType.Text);
        Add(command, search.Route, NpgsqlDbType.Text);
        Add(command, search.Model, NpgsqlDbType.Text);
        Add(command, search.Status, NpgsqlDbType.Integer);
        Add(command, search.From, NpgsqlDbType.TimestampTz);
        Add(command, search.To, NpgsqlDbType.TimestampTz);
        Add(command, search.LikePattern, NpgsqlDbType.Text);
        Add(command, search.Limit, NpgsqlDbType.Integer);
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
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        List<KeyValuePair<string, object?>>? row = null;
        await using (var read = new NpgsqlCommand("SELECT * FROM ai_performance_logs WHERE id = @id LIMIT 1", connection))
        {
            read.Parameters.AddWithValue("id", requestId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                row = RowOf(reader);
            }
        }

        PayloadRecord? payload = null;
        await using (var read = new NpgsqlCommand($"SELECT {Columns} FROM ai_payloads WHERE request_id = @id LIMIT 1", connection))
        {
            read.Parameters.AddWithValue("id", requestId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                payload = new PayloadRecord
                {
                    RequestId = reader.GetGuid(0),
                    Ts = reader.GetFieldValue<DateTimeOffset>(1),
                    OrgId = reader.GetString(2),
                    CustomerId = reader.IsDBNull(3) ? null : reader.GetString(3),
                    Level = reader.GetString(4),
                    RequestBody = reader.IsDBNull(5) ? null : reader.GetString(5),
                    ResponseBody = reader.IsDBNull(6) ? null : reader.GetString(6),
                    Truncated = reader.GetBoolean(7),
                    Redactions = reader.IsDBNull(8) ? null : reader.GetString(8),
                };
            }
        }

        return row is null && payload is null ? null : new LoggedCall(row, payload);
    }

    private static List<KeyValuePair<string, object?>> RowOf(NpgsqlDataReader reader)
    {
        var row = new List<KeyValuePair<string, object?>>(reader.FieldCount);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            row.Add(new(reader.GetName(i), reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                DateTime time => new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc)),
                int number => (long)number,
                var value => value,
            }));
        }

        return row;
    }

    private static void Add(NpgsqlCommand command, object? value, NpgsqlDbType type) =>
        command.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value, NpgsqlDbType = type });

    private async Task CopyAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var importer = await connection.BeginBinaryImportAsync($"COPY ai_payloads ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var record in batch)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(record.RequestId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(record.Ts, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(record.OrgId, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, record.CustomerId, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(record.Level, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, record.RequestBody, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(importer, record.ResponseBody, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(record.Truncated, NpgsqlDbType.Boolean, cancellationToken);
            await WriteNullableAsync(importer, record.Redactions, NpgsqlDbType.Jsonb, cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
    }

    // A batch written again (or one call logged twice): each payload on its own, the stored one kept.
    private async Task InsertEachAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var record in batch)
        {
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO ai_payloads ({Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING", connection);
            insert.Parameters.Add(new NpgsqlParameter { Value = record.RequestId, NpgsqlDbType = NpgsqlDbType.Uuid });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Ts, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.OrgId, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.CustomerId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Level, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.RequestBody ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.ResponseBody ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            insert.Parameters.Add(new NpgsqlParameter { Value = record.Truncated, NpgsqlDbType = NpgsqlDbType.Boolean });
            insert.Parameters.Add(new NpgsqlParameter { Value = (object?)record.Redactions ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static Task WriteNullableAsync(NpgsqlBinaryImporter importer, string? value, NpgsqlDbType type, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, type, cancellationToken);

    private async Task EnsureDaysAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
    {
        List<DateTimeOffset>? missing = null;
        lock (_daysGate)
        {
            foreach (var record in batch)
            {
                var day = PayloadDays.Start(record.Ts);
                if (!_days.Contains(day) && (missing is null || !missing.Contains(day)))
                {
                    (missing ??= []).Add(day);
                }
            }
        }

        if (missing is null)
        {
            return;
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var day in missing)
        {
            await using var ensure = new NpgsqlCommand("SELECT aigw_ensure_payload_partitions(@from, 1)", connection);
            ensure.Parameters.AddWithValue("from", day);
            await ensure.ExecuteScalarAsync(cancellationToken);
            lock (_daysGate)
            {
                _days.Add(day);
            }
        }
    }

    private void Forget()
    {
        lock (_daysGate)
        {
            _days.Clear();
        }
    }
}
