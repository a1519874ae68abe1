namespace AiGateway.Transforms.Audit;

/// <summary>The append-only <c>admin_audit_log</c> (CONTRACT §10.5), in Postgres or in the embedded store.</summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends one entry on its own, for what is not a row of the gateway's database (a cache purge, an in-flight cancel)
    /// or is a read (a payload read): record it before doing it, and do nothing when this throws
    /// <see cref="AuditUnavailableException"/>. Changes of the database's own rows are recorded by their store, in the
    /// same transaction.
    /// </summary>
    Task RecordAsync(AuditActor actor, string action, string target, string? before, string? after, CancellationToken cancellationToken);

    /// <summary>The entries <paramref name="query"/> selects, newest first.</summary>
    Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query, CancellationToken cancellationToken);
}
