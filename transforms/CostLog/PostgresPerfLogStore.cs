using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// The log in Postgres. A batch is COPied (binary) straight into <c>ai_performance_logs</c> and its rollup rows, summed
/// here, upserted into <c>ai_cost_daily</c> and <c>ai_cost_monthly</c> in the same transaction. A batch some of whose rows are already stored (a
/// spill file replayed after a commit whose answer was lost) fails that COPY on the primary key; it is then written
/// again through a temporary staging table, moving only the rows not stored yet and rolling up exactly those.
/// </summary>
internal sealed class PostgresPerfLogStore(PostgresDatabase database) : IPerfLogStore
{
    /// <summary>Longest <c>error</c> text stored; the rest is cut.</summary>
    public const int MaxErrorLength = 4000;

    private const string Columns =
        "id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code, cache_status, dedupe_role, attempts, " +
        "prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd, duration_ms, ttft_ms, upstream_ms, request_hash, error, " +
        "customer_id, key_id, client_attempt, client_fallback, usage_unreported";

    private const string CreateStaging = "CREATE TEMP TABLE aigw_log_staging (LIKE ai_performance_logs) ON COMMIT DROP";

    private const string CopyStaging = $"COPY aigw_log_staging ({Columns}) FROM STDIN (FORMAT BINARY)";

    private const string CopyLog = $"COPY ai_performance_logs ({Columns}) FROM STDIN (FORMAT BINARY)";

    // Adds the rows of a relation "sums" (day, org_id, customer_id, route, model and the counters, one row per key) to both
    // rollups. Rows are upserted in key order so that two instances flushing together lock them in the same order.
    private const string RollUpSums = """
        daily AS (
            INSERT INTO ai_cost_daily AS d (day, org_id, customer_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
            SELECT * FROM sums
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (day, org_id, customer_id, route, model) DO UPDATE SET
                requests = d.requests + EXCLUDED.requests,
                cache_hits = d.cache_hits + EXCLUDED.cache_hits,
                prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
                completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
                cost_usd = d.cost_usd + EXCLUDED.cost_usd,
                saved_usd = d.saved_usd + EXCLUDED.saved_usd
        )
        INSERT INTO ai_cost_monthly AS m (month, org_id, customer_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
        SELECT date_trunc('month', day)::date, org_id, customer_id, route, model,
               sum(requests), sum(cache_hits), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(saved_usd)
        FROM sums
        GROUP BY 1, 2, 3, 4, 5
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (month, org_id, customer_id, route, model) DO UPDATE SET
            requests = m.requests + EXCLUDED.requests,
            cache_hits = m.cache_hits + EXCLUDED.cache_hits,
            prompt_tokens = m.prompt_tokens + EXCLUDED.prompt_tokens,
            completion_tokens = m.completion_tokens + EXCLUDED.completion_tokens,
            cost_usd = m.cost_usd + EXCLUDED.cost_usd,
            saved_usd = m.saved_usd + EXCLUDED.saved_usd
        """;

    // The batch's rollup rows, summed by RollupRows.
    private const string UpsertRollup = $"""
        WITH sums (day, org_id, customer_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd) AS (
            SELECT * FROM unnest(@day, @org, @customer, @route, @model, @requests, @hits, @prompt, @completion, @cost, @saved)
        ),
        {RollUpSums}
        """;

    // Only the rows this statement inserted reach the rollups, so a replayed batch changes no table.
    private const string MoveAndRollUp = $"""
        WITH inserted AS (
            INSERT INTO ai_performance_logs ({Columns})
            SELECT {Columns} FROM aigw_log_staging
            ON CONFLICT (id, ts) DO NOTHING
            RETURNING ts, org_id, customer_id, route, model_requested, model_used, cache_status, prompt_tokens, completion_tokens, cost_usd, saved_usd
        ),
        sums (day, org_id, customer_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd) AS (
            SELECT (ts AT TIME ZONE 'UTC')::date, org_id, coalesce(customer_id, ''), coalesce(route, ''), coalesce(model_used, model_requested, ''),
                   count(*), count(*) FILTER (WHERE cache_status = 'hit'), sum(prompt_tokens), sum(completion_tokens),
                   coalesce(sum(cost_usd), 0), coalesce(sum(saved_usd), 0)
            FROM inserted
            GROUP BY 1, 2, 3, 4, 5
        ),
        {RollUpSums}
        """;

    // SQLSTATE 23505: a row of the batch is stored already (the batch, or part of it, is being written again).
    private const string AlreadyStored = "23505";

    // SQLSTATE 23514 with a row outside every partition: a month this instance believed existed was dropped meanwhile.
    private const string NoPartition = "23514";

    private readonly HashSet<DateTimeOffset> _months = [];
    private readonly Lock _monthsGate = new();

    /// <inheritdoc/>
    public async Task WriteAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await EnsurePartitionsAsync(batch, cancellationToken);
        try
        {
            await WriteBatchAsync(batch, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == NoPartition)
        {
            ForgetPartitions();
            await EnsurePartitionsAsync(batch, cancellationToken);
            await WriteBatchAsync(batch, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public async Task<long> MaintainAsync(DateTimeOffset now, int retentionMonths, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using (var ensure = new NpgsqlCommand("SELECT aigw_ensure_log_partitions(@from, 2)", connection))
        {
            ensure.Parameters.AddWithValue("from", LogMonths.Start(now));
            await ensure.ExecuteScalarAsync(cancellationToken);
        }

        await using var drop = new NpgsqlCommand("SELECT aigw_drop_log_partitions(@before)", connection);
        drop.Parameters.AddWithValue("before", LogMonths.RetentionCutoff(now, retentionMonths));
        var dropped = (int)(await drop.ExecuteScalarAsync(cancellationToken))!;
        ForgetPartitions();
        return dropped;
    }

    /// <inheritdoc/>
    public bool IsRejection(Exception exception) => exception switch
    {
        // Class 22 (data exception) and 23 (integrity constraint): the rows themselves are wrong.
        PostgresException pg => pg.SqlState.StartsWith("22", StringComparison.Ordinal) || pg.SqlState.StartsWith("23", StringComparison.Ordinal),
        // Npgsql could not encode a value: no retry helps either.
        InvalidCastException or ArgumentException or OverflowException => true,
        _ => false,
    };

    private async Task EnsurePartitionsAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        List<DateTimeOffset>? missing = null;
        lock (_monthsGate)
        {
            foreach (var record in batch)
            {
                var month = LogMonths.Start(record.Ts);
                if (!_months.Contains(month) && (missing is null || !missing.Contains(month)))
                {
                    (missing ??= []).Add(month);
                }
            }
        }

        if (missing is null)
        {
            return;
        }

        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        foreach (var month in missing)
        {
            await using var ensure = new NpgsqlCommand("SELECT aigw_ensure_log_partitions(@from, 1)", connection);
            ensure.Parameters.AddWithValue("from", month);
            await ensure.ExecuteScalarAsync(cancellationToken);
            lock (_monthsGate)
            {
                _months.Add(month);
            }
        }
    }

    private void ForgetPartitions()
    {
        lock (_monthsGate)
        {
            _months.Clear();
        }
    }

    private async Task WriteBatchAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        try
        {
            await CopyBatchAsync(batch, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == AlreadyStored)
        {
            await MoveBatchAsync(batch, cancellationToken);
        }
    }

    // The common case: every row is new. As fast as a plain COPY plus one small upsert.
    private async Task CopyBatchAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var importer = await connection.BeginBinaryImportAsync(CopyLog, cancellationToken))
        {
            foreach (var record in batch)
            {
                await WriteRowAsync(importer, record, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using (var upsert = RollupRows.UpsertCommand(batch, UpsertRollup, connection, transaction))
        {
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    // Rows possibly stored already: only those that are not are inserted and rolled up.
    private async Task MoveBatchAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var create = new NpgsqlCommand(CreateStaging, connection, transaction))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var importer = await connection.BeginBinaryImportAsync(CopyStaging, cancellationToken))
        {
            foreach (var record in batch)
            {
                await WriteRowAsync(importer, record, cancellationToken);
            }

            await importer.CompleteAsync(cancellationToken);
        }

        await using (var move = new NpgsqlCommand(MoveAndRollUp, connection, transaction))
        {
            await move.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, PerfLogRecord r, CancellationToken cancellationToken)
    {
        await importer.StartRowAsync(cancellationToken);
        await importer.WriteAsync(r.Id, NpgsqlDbType.Uuid, cancellationToken);
        // Npgsql writes timestamptz only from UTC values.
        await importer.WriteAsync(r.Ts.ToUniversalTime(), NpgsqlDbType.TimestampTz, cancellationToken);
        await importer.WriteAsync(r.OrgId ?? "", NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.Route, cancellationToken);
        await importer.WriteAsync(r.Endpoint ?? "", NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.ModelRequested, cancellationToken);
        await WriteTextAsync(importer, r.ModelUsed, cancellationToken);
        await WriteTextAsync(importer, r.Mode, cancellationToken);
        await importer.WriteAsync(r.Stream, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteAsync(r.StatusCode, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.CacheStatus ?? "", NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.DedupeRole, cancellationToken);
        await importer.WriteAsync(r.Attempts, NpgsqlDbType.Integer, cancellationToken);
        await importer.WriteAsync(r.PromptTokens, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(r.CachedTokens, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(r.CompletionTokens, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(r.UsageEstimated, NpgsqlDbType.Boolean, cancellationToken);
        await WriteMoneyAsync(importer, r.CostUsd, cancellationToken);
        await WriteMoneyAsync(importer, r.SavedUsd, cancellationToken);
        await importer.WriteAsync(r.DurationMs, NpgsqlDbType.Integer, cancellationToken);
        await WriteIntAsync(importer, r.TtftMs, cancellationToken);
        await WriteIntAsync(importer, r.UpstreamMs, cancellationToken);
        await importer.WriteAsync(r.RequestHash ?? "", NpgsqlDbType.Text, cancellationToken);
        await WriteTextAsync(importer, r.Error is { Length: > MaxErrorLength } e ? e[..MaxErrorLength] : r.Error, cancellationToken);
        await WriteTextAsync(importer, r.CustomerId, cancellationToken);
        await WriteTextAsync(importer, r.KeyId, cancellationToken);
        await WriteIntAsync(importer, r.ClientAttempt, cancellationToken);
        await importer.WriteAsync(r.ClientFallback, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteAsync(r.UsageUnreported, NpgsqlDbType.Boolean, cancellationToken);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken)
        => value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    private static Task WriteIntAsync(NpgsqlBinaryImporter importer, int? value, CancellationToken cancellationToken)
        => value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Integer, cancellationToken) : importer.WriteNullAsync(cancellationToken);

    private static Task WriteMoneyAsync(NpgsqlBinaryImporter importer, decimal? value, CancellationToken cancellationToken)
        => value is { } v ? importer.WriteAsync(v, NpgsqlDbType.Numeric, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
