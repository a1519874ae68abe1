namespace AiGateway.Transforms.Identity;

/// <summary>The <c>api_keys</c> table, in Postgres or in the embedded store.</summary>
public interface IApiKeyStore
{
    /// <summary>The key with this hash, revoked or not, or null.</summary>
    Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>Stores a new key.</summary>
    Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken);

    /// <summary>All keys, newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Revokes the keys whose hash starts with <paramref name="keyHashPrefix"/>; returns how many.</summary>
    Task<int> RevokeAsync(string keyHashPrefix, CancellationToken cancellationToken);
}
