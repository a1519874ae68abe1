namespace AiGateway.Transforms.Orgs;

/// <summary>An org's stored settings and when they were last changed (by the store's clock).</summary>
/// <param name="Settings">The settings.</param>
/// <param name="UpdatedAt">The row's <c>updated_at</c>.</param>
internal sealed record OrgSettingsRow(OrgAiSettings Settings, DateTimeOffset UpdatedAt)
{
    /// <summary>The settings as the request path reads them, made once per row rather than once per call.</summary>
    public CallSettings Call { get; } = new(Settings);
}
