using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>org_ai_settings</c> on the database's <see cref="ISettingsStore"/>.</summary>
internal sealed class OrgSettingsStore(ISettingsStore store) : IOrgSettingsStore
{
    /// <inheritdoc/>
    public async Task<OrgSettingsRow?> GetAsync(string orgId, CancellationToken cancellationToken) =>
        (await store.GetAsync(SettingsTable.Org, [orgId], cancellationToken))?.ToOrg();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<OrgSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken) =>
        [.. (await store.ChangedSinceAsync(SettingsTable.Org, since, cancellationToken)).Select(row => row.ToOrg())];

    /// <inheritdoc/>
    public async Task<OrgSettingsRow> UpdateAsync(string orgId, SettingsPatch patch, AuditActor actor, CancellationToken cancellationToken)
    {
        var row = await store.UpdateAsync(SettingsTable.Org, [orgId], patch,
            (before, after) => SettingsJson.Change(actor, AuditActions.OrgSettingsUpdate, AuditActions.OrgTarget(orgId), before, after), cancellationToken);
        return row.ToOrg();
    }
}
