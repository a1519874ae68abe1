using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in Postgres.</summary>
internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    // Every statement binds a whole record as $1…$14 in column order (Bind), so insert and update cannot disagree.
    private const string Insert = $"INSERT INTO api_keys ({ApiKeyRows.Columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb)";

    private const string Update = """
        UPDATE api_keys SET revoked_at = $5, models = $6, expires_at = $7, monthly_usd_budget = $8, rpm_limit = $9, tpm_limit = $10,
            max_concurrent = $11, may_name_customers = $12, upstream_key_env = $13, labels = $14::jsonb
        WHERE key_hash = $1
        """;

    // As ApiKeyRows reads them: the hash without char(64)'s padding, the models as a JSON array, the labels as text.
    private const string Select = "SELECT key_hash::text, org_id, name, created_at, revoked_at, array_to_json(models)::text, expires_at, " +
        "monthly_usd_budget, rpm_limit, tpm_limit, max_concurrent, may_name_customers, upstream_key_env, labels::text FROM api_keys";

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"{Select} WHERE key_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = keyHash });
        return (await ApiKeyRows.ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindByIdAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"{Select} WHERE starts_with(key_hash, $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = keyId, NpgsqlDbType = NpgsqlDbType.Text });
        return (await ApiKeyRows.ReadAllAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? orgId, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"{Select} WHERE $1::text IS NULL OR org_id = $1 ORDER BY created_at DESC");
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)orgId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        return await ApiKeyRows.ReadAllAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(Insert);
        Bind(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, transaction, Insert, record, cancellationToken);
        await PostgresAuditLog.AppendAsync(connection, transaction, ApiKeyAudit.Created(actor, record), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> ChangeAsync(string keyId, Func<ApiKeyRecord, ApiKeyChange?> change, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var read = new NpgsqlCommand($"{Select} WHERE starts_with(key_hash, $1) FOR UPDATE", connection, transaction);
        read.Parameters.Add(new NpgsqlParameter { Value = keyId, NpgsqlDbType = NpgsqlDbType.Text });
        if ((await ApiKeyRows.ReadAllAsync(read, cancellationToken)).FirstOrDefault() is not { } before)
        {
            return null;
        }

        var after = await ApiKeyAudit.WriteAsync(before, change(before), actor,
            key => ExecuteAsync(connection, transaction, Update, key, cancellationToken),
            key => ExecuteAsync(connection, transaction, Insert, key, cancellationToken),
            entry => PostgresAuditLog.AppendAsync(connection, transaction, entry, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return after;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        Bind(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void Bind(NpgsqlCommand command, ApiKeyRecord record)
    {
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = record.KeyHash, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.OrgId, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Name, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = Utc(record.CreatedAt), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = record.RevokedAt is { } revoked ? Utc(revoked) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = record.Models.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.ExpiresAt is { } expires ? Utc(expires) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = (object?)record.MonthlyUsdBudget ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter { Value = (object?)record.RpmLimit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = (object?)record.TpmLimit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = (object?)record.MaxConcurrent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = record.MayNameCustomers, NpgsqlDbType = NpgsqlDbType.Boolean });
        p.Add(new NpgsqlParameter { Value = (object?)record.UpstreamKeyEnv ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Labels, NpgsqlDbType = NpgsqlDbType.Text });
    }

    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
