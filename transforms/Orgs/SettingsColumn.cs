namespace AiGateway.Transforms.Orgs;

/// <summary>
/// One settings column of <c>org_ai_settings</c> and <c>customer_ai_settings</c> (CONTRACT §7, §10.2): its snake_case name
/// (in both tables, the admin API and the command line), what it holds, its range, and where it lives on the two records.
/// </summary>
/// <param name="Name">The column, as the API and the command line name it.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Min">The least whole number or amount it takes.</param>
/// <param name="Max">The greatest whole number or amount it takes.</param>
/// <param name="OfOrg">Its value on an org's record.</param>
/// <param name="OfCustomer">Its value on a customer's record, or null for an org-only column.</param>
internal sealed record SettingsColumn(
    string Name, SettingsKind Kind, decimal Min, decimal Max, Func<OrgAiSettings, object?> OfOrg, Func<CustomerAiSettings, object?>? OfCustomer);
