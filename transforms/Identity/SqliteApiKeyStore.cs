using Dapper;
using AiGateway.Transforms.Storage;

namespace AiGateway.Transforms.Identity;

/// <summary><c>api_keys</c> in the embedded SQLite store under <c>Gateway:DataDir</c>.</summary>
internal sealed class SqliteApiKeyStore(EmbeddedDatabase database) : IApiKeyStore
{
    /// <inheritdoc/>
    public async Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(
            "SELECT key_hash AS KeyHash, org_id AS OrgId, name AS Name, created_at AS CreatedAt, revoked_at AS RevokedAt FROM api_keys WHERE key_hash = @keyHash",
            new { keyHash });
        return row?.ToRecord();
    }

    /// <inheritdoc/>
    public async Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await connection.ExecuteAsync(
            "INSERT INTO api_keys (key_hash, org_id, name, created_at) VALUES (@KeyHash, @OrgId, @Name, @CreatedAt)",
            new { record.KeyHash, record.OrgId, record.Name, CreatedAt = record.CreatedAt.ToString("O") });
    }

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<Row>(
            "SELECT key_hash AS KeyHash, org_id AS OrgId, name AS Name, created_at AS CreatedAt, revoked_at AS RevokedAt FROM api_keys ORDER BY created_at DESC");
        return rows.Select(r => r.ToRecord()).ToList();
    }

    /// <inheritdoc/>
    public async Task<int> RevokeAsync(string keyHashPrefix, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        return await connection.ExecuteAsync(
            "UPDATE api_keys SET revoked_at = @now WHERE revoked_at IS NULL AND substr(key_hash, 1, length(@prefix)) = @prefix",
            new { now = DateTime.UtcNow.ToString("O"), prefix = keyHashPrefix });
    }

    // SQLite stores timestamps as ISO-8601 text.
    private sealed class Row
    {
        public string KeyHash { get; set; } = "";
        public string OrgId { get; set; } = "";
        public string Name { get; set; } = "";
        public string CreatedAt { get; set; } = "";
        public string? RevokedAt { get; set; }

        public ApiKeyRecord ToRecord() => new(KeyHash, OrgId, Name, Parse(CreatedAt), RevokedAt is null ? null : Parse(RevokedAt));

        private static DateTime Parse(string text) => DateTime.Parse(text, null, System.Globalization.DateTimeStyles.RoundtripKind);
    }
}
