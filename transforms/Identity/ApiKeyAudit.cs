using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Identity;

/// <summary>The audit entries of key changes: the key's JSON (<see cref="ApiKeyJson"/>: its id, never the secret or the whole hash) before and after.</summary>
internal static class ApiKeyAudit
{
    /// <summary>The entry of a key issued.</summary>
    public static AuditChange Created(AuditActor actor, ApiKeyRecord key) =>
        new(actor, AuditActions.KeyCreate, AuditActions.KeyTarget(key.Id), null, ApiKeyJson.Text(key, DateTime.UtcNow));

    /// <summary>The entries of a change: one for the key, and one for a key issued with it.</summary>
    public static IEnumerable<AuditChange> Changed(AuditActor actor, ApiKeyRecord before, ApiKeyChange change)
    {
        var now = DateTime.UtcNow;
        yield return new AuditChange(actor, change.Action, AuditActions.KeyTarget(before.Id), ApiKeyJson.Text(before, now), ApiKeyJson.Text(change.Updated, now));
        if (change.Successor is { } successor)
        {
            yield return Created(actor, successor);
        }
    }
}
