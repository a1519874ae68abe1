using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Identity;

/// <summary>The <c>api_keys</c> table, in Postgres or in the embedded store.</summary>
public interface IApiKeyStore
{
    /// <summary>The key with this hash, revoked or not, or null.</summary>
    Task<ApiKeyRecord?> FindAsync(string keyHash, CancellationToken cancellationToken);

    /// <summary>The key whose id (the first 12 hex characters of its hash) is <paramref name="keyId"/>, revoked or not, or null.</summary>
    Task<ApiKeyRecord?> FindByIdAsync(string keyId, CancellationToken cancellationToken);

    /// <summary>The keys of <paramref name="orgId"/> (all keys when null), newest first.</summary>
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? orgId, CancellationToken cancellationToken);

    /// <summary>Stores a new key without an audit entry: for seeding a store (tests, fixtures); every admin path uses the overload that records it.</summary>
    Task CreateAsync(ApiKeyRecord record, CancellationToken cancellationToken);

    /// <summary>Stores a new key and its <c>key.create</c> audit entry in one transaction.</summary>
    /// <exception cref="AuditUnavailableException">The audit entry could not be written; the key was not stored.</exception>
    Task CreateAsync(ApiKeyRecord record, AuditActor actor, CancellationToken cancellationToken);

    /// <summary>
    /// Changes the key with id <paramref name="keyId"/>: <paramref name="change"/> gets the key as stored (read under a
    /// lock) and says what it becomes, or null for no change; the change and its audit entries are written in one
    /// transaction. Returns the key after (unchanged when there was nothing to do), or null when there is no such key.
    /// </summary>
    /// <exception cref="AuditUnavailableException">An audit entry could not be written; nothing changed.</exception>
    Task<ApiKeyRecord?> ChangeAsync(string keyId, Func<ApiKeyRecord, ApiKeyChange?> change, AuditActor actor, CancellationToken cancellationToken);
}
