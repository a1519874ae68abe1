using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary>The <c>customer_ai_settings</c> table (CONTRACT §10.2): each column null = the org's value.</summary>
internal interface ICustomerSettingsStore
{
    /// <summary>The customer's row, or null when it has none (the org's settings apply).</summary>
    Task<CustomerSettingsRow?> GetAsync(string orgId, string customerId, CancellationToken cancellationToken);

    /// <summary>The rows changed after <paramref name="since"/>, or every row when it is null.</summary>
    Task<IReadOnlyList<CustomerSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken);

    /// <summary>
    /// Sets the columns <paramref name="patch"/> names (creating the row, every other column null) and records the change
    /// (<see cref="AuditActions.CustomerSettingsUpdate"/>) in one transaction; returns the row.
    /// </summary>
    /// <exception cref="AuditUnavailableException">The audit entry could not be written; nothing changed.</exception>
    Task<CustomerSettingsRow> UpdateAsync(string orgId, string customerId, SettingsPatch patch, AuditActor actor, CancellationToken cancellationToken);
}
