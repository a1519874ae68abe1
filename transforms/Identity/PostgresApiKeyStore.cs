using Dapper;
using AiGateway.Transforms.Storage;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in Postgres.</summary>
internal sealed class PostgresApiKeyStore(PostgresDatabase database) : IApiKeyStore
{
    private const string Columns = "key_hash AS KeyHash, org_id AS OrgId, name AS Name, created_at AS CreatedAt, revoked_at AS RevokedAt";

    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRecord>(
            new CommandDefinition($"SELECT {Columns} FROM api_keys WHERE key_hash = @keyHash", new { keyHash }, cancellationToken: cancellationToken));
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO api_keys (key_hash, org_id, name, created_at) VALUES (@KeyHash, @OrgId, @Name, @CreatedAt)",
            record, cancellationToken: cancellationToken));
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ApiKeyRecord>(
            new CommandDefinition($"SELECT {Columns} FROM api_keys ORDER BY created_at DESC", cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <inheritdoc/>
    public async Task<int> RevokeAsync(string keyHashPrefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.DataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = now() WHERE revoked_at IS NULL AND starts_with(key_hash, @prefix)",
            new { prefix = keyHashPrefix }, cancellationToken: cancellationToken));
    }
}
