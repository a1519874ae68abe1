using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary><c>customer_ai_settings</c> on the database's <see cref="ISettingsStore"/>.</summary>
internal sealed class CustomerSettingsStore(ISettingsStore store) : ICustomerSettingsStore
{
    /// <inheritdoc/>
    public async Task<CustomerSettingsRow?> GetAsync(string orgId, string customerId, CancellationToken cancellationToken) =>
        (await store.GetAsync(SettingsTable.Customer, [orgId, customerId], cancellationToken))?.ToCustomer();

    /// <inheritdoc/>
    public async Task<IReadOnlyList<CustomerSettingsRow>> ChangedSinceAsync(DateTimeOffset? since, CancellationToken cancellationToken) =>
        [.. (await store.ChangedSinceAsync(SettingsTable.Customer, since, cancellationToken)).Select(row => row.ToCustomer())];

    /// <inheritdoc/>
    public async Task<CustomerSettingsRow> UpdateAsync(string orgId, string customerId, SettingsPatch patch, AuditActor actor, CancellationToken cancellationToken)
    {
        var target = AuditActions.CustomerTarget(orgId, customerId);
        var row = await store.UpdateAsync(SettingsTable.Customer, [orgId, customerId], patch,
            (before, after) => SettingsJson.Change(actor, AuditActions.CustomerSettingsUpdate, target, before, after), cancellationToken);
        return row.ToCustomer();
    }
}
