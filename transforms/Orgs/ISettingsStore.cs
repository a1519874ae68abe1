using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary>The two settings tables (<see cref="SettingsTable"/>) in Postgres or in the embedded store; one implementation per database serves both.</summary>
internal interface ISettingsStore
{
    /// <summary>The row of <paramref name="table"/> with <paramref name="keys"/>, or null when it has none.</summary>
    Task<StoredSettings?> GetAsync(SettingsTable table, IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>The rows of <paramref name="table"/> changed after <paramref name="since"/>, or every row when it is null.</summary>
    Task<IReadOnlyList<StoredSettings>> ChangedSinceAsync(SettingsTable table, DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the columns <paramref name="patch"/> names on the row with <paramref name="keys"/> (creating it with the
    /// defaults for the others) and appends the audit entry <paramref name="audit"/> makes of the row before (null when it
    /// had none) and after, in one transaction: neither is written without the other.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The entry could not be written; the row is unchanged.</exception>
    Task<StoredSettings> UpdateAsync(
        SettingsTable table, IReadOnlyList<string> keys, SettingsPatch patch, Func<StoredSettings?, StoredSettings, AuditChange> audit, CancellationToken cancellationToken);
}
