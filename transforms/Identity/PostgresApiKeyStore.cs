using AiGateway.Transforms.Storage;
using Npgsql;
using NpgsqlTypes;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in Postgres.</summary>
internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private const string Columns = "key_hash, org_id, name, created_at, revoked_at, models, expires_at, monthly_usd_budget, " +
        "rpm_limit, tpm_limit, max_concurrent, may_name_customers, upstream_key_env, labels::text";

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM api_keys WHERE key_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = keyHash });
        return (await ReadAsync(command, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand("""
            INSERT INTO api_keys (key_hash, org_id, name, created_at, models, expires_at, monthly_usd_budget, rpm_limit, tpm_limit,
                max_concurrent, may_name_customers, upstream_key_env, labels)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb)
            """);
        var p = command.Parameters;
        p.Add(new NpgsqlParameter { Value = record.KeyHash });
        p.Add(new NpgsqlParameter { Value = record.OrgId });
        p.Add(new NpgsqlParameter { Value = record.Name });
        p.Add(new NpgsqlParameter { Value = DateTime.SpecifyKind(record.CreatedAt, DateTimeKind.Utc), NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = record.Models.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.ExpiresAt is { } expires ? DateTime.SpecifyKind(expires, DateTimeKind.Utc) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        p.Add(new NpgsqlParameter { Value = (object?)record.MonthlyUsdBudget ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Numeric });
        p.Add(new NpgsqlParameter { Value = (object?)record.RpmLimit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = (object?)record.TpmLimit ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        p.Add(new NpgsqlParameter { Value = (object?)record.MaxConcurrent ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        p.Add(new NpgsqlParameter { Value = record.MayNameCustomers });
        p.Add(new NpgsqlParameter { Value = (object?)record.UpstreamKeyEnv ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        p.Add(new NpgsqlParameter { Value = record.Labels });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand($"SELECT {Columns} FROM api_keys ORDER BY created_at DESC");
        return await ReadAsync(command, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<int> RevokeAsync(string keyHashPrefix, CancellationToken cancellationToken)
    {
        await using var command = database.DataSource.CreateCommand(
            "UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND starts_with(key_hash, $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = keyHashPrefix });
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<ApiKeyRecord>> ReadAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        var records = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(new ApiKeyRecord(
                reader.GetString(0).Trim(), reader.GetString(1), reader.GetString(2), reader.GetDateTime(3), reader.IsDBNull(4) ? null : reader.GetDateTime(4))
            {
                Models = reader.GetFieldValue<string[]>(5),
                ExpiresAt = reader.IsDBNull(6) ? null : reader.GetDateTime(6),
                MonthlyUsdBudget = reader.IsDBNull(7) ? null : reader.GetDecimal(7),
                RpmLimit = reader.IsDBNull(8) ? null : reader.GetInt32(8),
                TpmLimit = reader.IsDBNull(9) ? null : reader.GetInt64(9),
                MaxConcurrent = reader.IsDBNull(10) ? null : reader.GetInt32(10),
                MayNameCustomers = reader.GetBoolean(11),
                UpstreamKeyEnv = reader.IsDBNull(12) ? null : reader.GetString(12),
                Labels = reader.GetString(13),
            });
        }

        return records;
    }
}
