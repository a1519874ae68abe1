using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary>The <c>org_ai_settings</c> table.</summary>
internal interface IOrgSettingsStore
{
    /// <summary>The org's row, or null when it has none (the defaults apply).</summary>
    Task<OrgSettingsRow?> GetAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>The rows changed after <paramref name="since"/>, or every row when it is null.</summary>
    Task<IReadOnlyList<OrgSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the columns <paramref name="patch"/> names (creating the row with defaults for the others) and records the
    /// change (<see cref="AuditActions.OrgSettingsUpdate"/>) in one transaction; returns the row.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The audit entry could not be written; nothing changed.</exception>
    Task<OrgSettingsRow> UpdateAsync(string orgId, SettingsPatch patch, AuditActor actor, CancellationToken cancellationToken);
}
