using System.Globalization;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;

namespace AiGateway.Admin;

/// <summary>
/// Maps the settings API (CONTRACT §8, §10.2): <c>GET</c> and <c>PUT /api/orgs/{org}/settings</c> and
/// <c>/api/orgs/{org}/customers/{customer}/settings</c> (snake_case columns; PUT is a partial update; a customer's null
/// = the org's value), and this month's spend against the budgets in force: <c>GET /api/orgs/{org}/budget</c>,
/// <c>GET /api/orgs/{org}/customers/{customer}/budget</c>.
/// </summary>
public static class OrgSettingsAdminEndpointRouteBuilderExtensions
{
    /// <summary>Maps the settings endpoints behind the admin keys.</summary>
    public static IEndpointRouteBuilder MapOrgSettingsAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/orgs/{org}/settings", GetOrgAsync).AdminRead();
        endpoints.MapPut("/api/orgs/{org}/settings", PutOrgAsync).AdminChange();
        endpoints.MapGet("/api/orgs/{org}/budget", GetOrgBudgetAsync).AdminRead();
        endpoints.MapGet("/api/orgs/{org}/customers/{customer}/settings", GetCustomerAsync).AdminRead();
        endpoints.MapPut("/api/orgs/{org}/customers/{customer}/settings", PutCustomerAsync).AdminChange();
        endpoints.MapGet("/api/orgs/{org}/customers/{customer}/budget", GetCustomerBudgetAsync).AdminRead();
        return endpoints;
    }

    private static async Task GetOrgAsync(HttpContext http, string org, IOrgSettingsStore store)
    {
        var row = await store.GetAsync(org, http.RequestAborted);
        await AdminJson.WriteAsync(http, SettingsJson.Serialize(row?.Settings ?? new OrgAiSettings { OrgId = org }));
    }

    private static async Task PutOrgAsync(HttpContext http, string org, IOrgSettingsStore store, OrgSettingsSnapshot snapshot)
    {
        if (await ReadPatchAsync(http, SettingsTable.Org, [org]) is { } patch)
        {
            var row = await store.UpdateAsync(org, patch, http.AdminActor(), http.RequestAborted);
            // In force here at once; other instances read it on their next refresh.
            snapshot.Apply(row);
            await AdminJson.WriteAsync(http, SettingsJson.Serialize(row.Settings));
        }
    }

    private static async Task GetCustomerAsync(HttpContext http, string org, string customer, ICustomerSettingsStore store)
    {
        if (await IsCustomerAsync(http, customer))
        {
            var row = await store.GetAsync(org, customer, http.RequestAborted);
            await AdminJson.WriteAsync(http, SettingsJson.Serialize(row?.Settings ?? new CustomerAiSettings { OrgId = org, CustomerId = customer }));
        }
    }

    private static async Task PutCustomerAsync(HttpContext http, string org, string customer, ICustomerSettingsStore store, OrgSettingsSnapshot snapshot)
    {
        if (await IsCustomerAsync(http, customer) && await ReadPatchAsync(http, SettingsTable.Customer, [org, customer]) is { } patch)
        {
            var row = await store.UpdateAsync(org, customer, patch, http.AdminActor(), http.RequestAborted);
            snapshot.Apply(row);
            await AdminJson.WriteAsync(http, SettingsJson.Serialize(row.Settings));
        }
    }

    private static async Task GetOrgBudgetAsync(HttpContext http, string org, IOrgSettingsStore store, BudgetMeter budgets, TimeProvider time)
    {
        var settings = (await store.GetAsync(org, http.RequestAborted))?.Settings ?? new OrgAiSettings { OrgId = org };
        await WriteBudgetAsync(http, budgets, time, SpendAccount.Org(org), settings);
    }

    private static async Task GetCustomerBudgetAsync(
        HttpContext http, string org, string customer, IOrgSettingsStore orgs, ICustomerSettingsStore customers, BudgetMeter budgets, TimeProvider time)
    {
        if (!await IsCustomerAsync(http, customer))
        {
            return;
        }

        var orgSettings = (await orgs.GetAsync(org, http.RequestAborted))?.Settings ?? new OrgAiSettings { OrgId = org };
        var own = (await customers.GetAsync(org, customer, http.RequestAborted))?.Settings;
        // The budgets in force for the customer: each its own where set, else its org's (CONTRACT §10.2, §10.4).
        var effective = orgSettings with
        {
            MonthlyTokenBudget = own?.MonthlyTokenBudget ?? orgSettings.MonthlyTokenBudget,
            MonthlyUsdBudget = own?.MonthlyUsdBudget ?? orgSettings.MonthlyUsdBudget,
            HardBudget = own?.HardBudget ?? orgSettings.HardBudget,
        };
        await WriteBudgetAsync(http, budgets, time, SpendAccount.Customer(org, customer), effective);
    }

    private static async Task WriteBudgetAsync(HttpContext http, BudgetMeter budgets, TimeProvider time, SpendAccount account, OrgAiSettings budget)
    {
        var now = time.GetUtcNow();
        var spent = await budgets.SpentAsync(account, now, http.RequestAborted);
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteString("org_id"u8, account.OrgId);
            if (account.CustomerId is { } customer)
            {
                writer.WriteString("customer_id"u8, customer);
            }

            writer.WriteString("month"u8, BudgetMonth.Of(now).ToString("yyyy-MM", CultureInfo.InvariantCulture));
            writer.WriteNumber("tokens_used"u8, spent.Tokens);
            SettingsJson.WriteNumberOrNull(writer, "usd_used"u8, spent.Usd);
            SettingsJson.WriteNumberOrNull(writer, "monthly_token_budget"u8, budget.MonthlyTokenBudget);
            SettingsJson.WriteNumberOrNull(writer, "monthly_usd_budget"u8, budget.MonthlyUsdBudget);
            SettingsJson.WriteNumberOrNull(writer, "remaining_share"u8, BudgetShare.Remaining(budget, spent));
            writer.WriteBoolean("hard_budget"u8, budget.HardBudget);
        });
    }

    private static async Task<SettingsPatch?> ReadPatchAsync(HttpContext http, SettingsTable table, IReadOnlyList<string> keys)
    {
        using var body = await AdminJson.ReadAsync(http);
        if (body is null)
        {
            return null;
        }

        var (patch, error) = SettingsPatch.Parse(body.RootElement, table, keys);
        if (error is not null)
        {
            await AdminJson.RefuseAsync(http, error);
        }

        return patch;
    }

    private static async Task<bool> IsCustomerAsync(HttpContext http, string customer)
    {
        if (CustomerId.IsValid(customer))
        {
            return true;
        }

        await RequestDrain.BeforeRefusalAsync(http);
        await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_customer",
            $"A customer id is 1 to {CustomerId.MaxLength} of A-Z a-z 0-9 . _ : - (as x-aigw-customer takes it).", "customer");
        return false;
    }
}
