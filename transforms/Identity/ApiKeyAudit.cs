using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Identity;

/// <summary>The audit entries of key changes: the key's JSON (<see cref="ApiKeyJson"/>: its id, never the secret or the whole hash) before and after.</summary>
internal static class ApiKeyAudit
{
    /// <summary>
    /// The steps of a change both stores take inside their transaction, after reading the key as <paramref name="before"/>:
    /// write the key as it becomes, insert a successor, append the entries. Returns the key after (<paramref name="before"/>
    /// when <paramref name="change"/> is null: nothing to do, nothing recorded).
    /// </summary>
    public static async Task<ApiKeyRecord> WriteAsync(
        ApiKeyRecord before, ApiKeyChange? change, AuditActor actor, Func<ApiKeyRecord, Task> update, Func<ApiKeyRecord, Task> insert, Func<AuditChange, Task> append)
    {
        if (change is null)
        {
            return before;
        }

        await update(change.Updated);
        if (change.Successor is { } successor)
        {
            await insert(successor);
        }

        foreach (var entry in Changed(actor, before, change))
        {
            await append(entry);
        }

        return change.Updated;
    }

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
