namespace AiGateway.Transforms.Orgs;

/// <summary>The <c>org_ai_settings</c> table, in Postgres or in the embedded store.</summary>
internal interface IOrgSettingsStore
{
    /// <summary>The org's row, or null when it has none (the defaults apply).</summary>
    Task<OrgSettingsRow?> GetAsync(string orgId, CancellationToken cancellationToken);

    /// <summary>The rows changed after <paramref name="since"/>, or every row when it is null.</summary>
    Task<IReadOnlyList<OrgSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>Sets the columns <paramref name="patch"/> names (creating the row with defaults for the others) in one statement; returns the row.</summary>
    Task<OrgSettingsRow> UpdateAsync(string orgId, OrgSettingsPatch patch, CancellationToken cancellationToken);
}
