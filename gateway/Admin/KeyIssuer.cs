using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;

namespace AiGateway.Admin;

/// <summary>Issues, rotates and revokes virtual keys, each with its audit entries: the same steps for the keys API and the <c>keys</c> verbs.</summary>
internal sealed class KeyIssuer(IApiKeyStore store, TimeProvider time)
{
    /// <summary>A key just issued: its secret (shown once) and its record.</summary>
    /// <param name="Secret">The key itself (<c>aigw_…</c>).</param>
    /// <param name="Key">The stored record.</param>
    /// <param name="Replaced">For a rotation, the old key as it is now (expiring at the end of the overlap).</param>
    public sealed record Issued(string Secret, ApiKeyRecord Key, ApiKeyRecord? Replaced);

    /// <summary>Issues a key of the org and name <paramref name="patch"/> gives, with its policy.</summary>
    public async Task<Issued> CreateAsync(ApiKeyPolicyPatch patch, AuditActor actor, CancellationToken cancellationToken)
    {
        var (secret, hash) = await NewKeyAsync(cancellationToken);
        var key = patch.ApplyTo(new ApiKeyRecord(hash, patch.Org!, patch.Name!, KeyTime.Now(time), null));
        await store.CreateAsync(key, actor, cancellationToken);
        return new Issued(secret, key, null);
    }

    /// <summary>Why <paramref name="key"/> cannot be rotated with <paramref name="patch"/>: its successor would be born expired; or null.</summary>
    public FieldError? CheckRotation(ApiKeyRecord key, ApiKeyPolicyPatch patch) =>
        patch.ApplyTo(key).ExpiresAt is { } expires && expires <= KeyTime.Now(time)
            ? FieldError.Invalid("expires_at", $"The key expired at {expires:O}, and its successor would too: give the new key an expires_at in the future, or null.")
            : null;

    /// <summary>
    /// Rotates the key with id <paramref name="keyId"/>: a successor with its org, name and policy (and the fields
    /// <paramref name="patch"/> names), and the key itself expiring <paramref name="overlapSeconds"/> from now (or earlier,
    /// if it already did). Null when the key is revoked (nothing is issued).
    /// </summary>
    public async Task<Issued?> RotateAsync(string keyId, int overlapSeconds, ApiKeyPolicyPatch patch, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = KeyTime.Now(time);
        var end = now.AddSeconds(overlapSeconds);
        var (secret, hash) = await NewKeyAsync(cancellationToken);
        ApiKeyRecord? successor = null;
        var old = await store.ChangeAsync(keyId, current =>
        {
            if (current.RevokedAt is not null)
            {
                return null;
            }

            // The successor has the key's org, name and policy as stored now, with the fields the caller names.
            successor = patch.ApplyTo(current with { KeyHash = hash, CreatedAt = now, RevokedAt = null });
            return new ApiKeyChange(current with { ExpiresAt = current.ExpiresAt is { } earlier && earlier < end ? earlier : end }, AuditActions.KeyRotate, successor);
        }, actor, cancellationToken);
        return successor is null ? null : new Issued(secret, successor, old);
    }

    /// <summary>Revokes the key with id <paramref name="keyId"/>; a revoked key stays as it is (nothing is recorded). Null when there is no such key.</summary>
    public Task<ApiKeyRecord?> RevokeAsync(string keyId, AuditActor actor, CancellationToken cancellationToken)
    {
        var now = KeyTime.Now(time);
        return store.ChangeAsync(keyId, current => current.RevokedAt is null ? new ApiKeyChange(current with { RevokedAt = now }, AuditActions.KeyRevoke) : null,
            actor, cancellationToken);
    }

    // A new secret whose id no stored key has (12 hex characters: a clash is a 1 in 2^48 event per key, but ids name keys).
    private async Task<(string Secret, string Hash)> NewKeyAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var secret = ApiKeyHasher.NewVirtualKey();
            var hash = ApiKeyHasher.Hash(secret);
            if (await store.FindByIdAsync(hash[..ApiKeyRecord.IdLength], cancellationToken) is null)
            {
                return (secret, hash);
            }
        }
    }
}
