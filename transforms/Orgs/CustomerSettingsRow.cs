namespace AiGateway.Transforms.Orgs;

/// <summary>A customer's stored settings and when they were last changed (by the store's clock).</summary>
/// <param name="Settings">The settings.</param>
/// <param name="UpdatedAt">The row's <c>updated_at</c>.</param>
internal sealed record CustomerSettingsRow(CustomerAiSettings Settings, DateTimeOffset UpdatedAt);
