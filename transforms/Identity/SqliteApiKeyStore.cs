using System.Text.Json;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in the embedded SQLite store under <c>Gateway:DataDir</c>: times ISO-8601 text, lists JSON text.</summary>
internal sealed class SqliteApiKeyStore(EmbeddedDatabase database) : IApiKeyStore
{
    private const string Select = $"SELECT {ApiKeyRows.Columns} FROM api_keys";

    // Every statement binds a whole record by name (Bind), so insert and update cannot disagree.
    private const string Insert = $"""
        INSERT INTO api_keys ({ApiKeyRows.Columns})
        VALUES ($hash, $org, $name, $created, $revoked, $models, $expires, $budget, $rpm, $tpm, $concurrent, $customers, $env, $labels)
        """;

    private const string Update = """
        UPDATE api_keys SET revoked_at = $revoked, models = $models, expires_at = $expires, monthly_usd_budget = $budget, rpm_limit = $rpm,
            tpm_limit = $tpm, max_concurrent = $concurrent, may_name_customers = $customers, upstream_key_env = $env, labels = $labels
        WHERE key_hash = $hash
        """;

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await QueryAsync(connection, null, $"{Select} WHERE key_hash = $p", keyHash, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindByIdAsync(string keyId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return (await QueryAsync(connection, null, $"{Select} WHERE substr(key_hash, 1, length($p)) = $p", keyId, cancellationToken)).FirstOrDefault();
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? orgId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await QueryAsync(connection, null, $"{Select} WHERE $p IS NULL OR org_id = $p ORDER BY created_at DESC", orgId, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, null, Insert, record, cancellationToken);
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = connection.BeginTransaction(deferred: false);
        await ExecuteAsync(connection, transaction, Insert, record, cancellationToken);
        await SqliteAuditLog.AppendAsync(connection, transaction, ApiKeyAudit.Created(actor, record), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> ChangeAsync(string keyId, Func<ApiKeyRecord, ApiKeyChange?> change, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        // IMMEDIATE: the write lock is taken before the key is read, so that nothing changes it in between.
        await using var transaction = connection.BeginTransaction(deferred: false);
        var found = await QueryAsync(connection, transaction, $"{Select} WHERE substr(key_hash, 1, length($p)) = $p", keyId, cancellationToken);
        if (found.FirstOrDefault() is not { } before)
        {
            return null;
        }

        var after = await ApiKeyAudit.WriteAsync(before, change(before), actor,
            key => ExecuteAsync(connection, transaction, Update, key, cancellationToken),
            key => ExecuteAsync(connection, transaction, Insert, key, cancellationToken),
            entry => SqliteAuditLog.AppendAsync(connection, transaction, entry, cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return after;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var p = command.Parameters;
        p.AddWithValue("$hash", record.KeyHash);
        p.AddWithValue("$org", record.OrgId);
        p.AddWithValue("$name", record.Name);
        p.AddWithValue("$created", SqliteValues.Time(Utc(record.CreatedAt)));
        p.AddWithValue("$revoked", record.RevokedAt is { } revoked ? SqliteValues.Time(Utc(revoked)) : DBNull.Value);
        p.AddWithValue("$models", JsonSerializer.Serialize(record.Models));
        p.AddWithValue("$expires", record.ExpiresAt is { } expires ? SqliteValues.Time(Utc(expires)) : DBNull.Value);
        p.AddWithValue("$budget", record.MonthlyUsdBudget is { } budget ? SqliteValues.Money(budget) : DBNull.Value);
        p.AddWithValue("$rpm", (object?)record.RpmLimit ?? DBNull.Value);
        p.AddWithValue("$tpm", (object?)record.TpmLimit ?? DBNull.Value);
        p.AddWithValue("$concurrent", (object?)record.MaxConcurrent ?? DBNull.Value);
        p.AddWithValue("$customers", record.MayNameCustomers ? 1 : 0);
        p.AddWithValue("$env", (object?)record.UpstreamKeyEnv ?? DBNull.Value);
        p.AddWithValue("$labels", record.Labels);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<List<ApiKeyRecord>> QueryAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string sql, string? parameter, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$p", (object?)parameter ?? DBNull.Value);
        return await ApiKeyRows.ReadAllAsync(command, cancellationToken);
    }

    // Key times are UTC whatever their kind says (a DateTime of unspecified kind would otherwise be taken as local).
    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}
