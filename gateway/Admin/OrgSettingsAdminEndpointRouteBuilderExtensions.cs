using System.Text.Json;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;

namespace AiGateway.Admin;

/// <summary>
/// Maps the org settings API (CONTRACT §8): <c>GET</c> and <c>PUT /api/orgs/{org}/settings</c> (snake_case columns of
/// <c>org_ai_settings</c>; PUT is a partial update), and <c>GET /api/orgs/{org}/budget</c> (this month's spend).
/// </summary>
public static class OrgSettingsAdminEndpointRouteBuilderExtensions
{
    // A settings object is a few hundred bytes; anything far larger is not one.
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>Maps the org settings endpoints behind the admin filter.</summary>
    public static IEndpointRouteBuilder MapOrgSettingsAdminApi(this IEndpointRouteBuilder endpoints)
    {
        var org = endpoints.MapGroup("/api/orgs/{org}").AddEndpointFilter<AdminAuthorizationFilter>();
        org.MapGet("/settings", GetSettingsAsync);
        org.MapPut("/settings", PutSettingsAsync);
        org.MapGet("/budget", GetBudgetAsync);
        return endpoints;
    }

    private static async Task GetSettingsAsync(HttpContext http, string org, IOrgSettingsStore store)
    {
        var row = await store.GetAsync(org, http.RequestAborted);
        await WriteJsonAsync(http, OrgSettingsJson.Serialize(row?.Settings ?? new OrgAiSettings { OrgId = org }));
    }

    private static async Task PutSettingsAsync(HttpContext http, string org, IOrgSettingsStore store, OrgSettingsSnapshot snapshot)
    {
        using var body = await ReadJsonAsync(http);
        if (body is null)
        {
            return;
        }

        var (patch, error, field) = OrgSettingsPatch.Parse(body.RootElement, org);
        if (patch is null)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error",
                field is null || OrgSettingsPatch.Fields.Contains(field) ? "invalid_value" : "unknown_field", error!, field);
            return;
        }

        var row = await store.UpdateAsync(org, patch, http.RequestAborted);
        // In force here at once; other instances read it on their next refresh.
        snapshot.Apply(row);
        await WriteJsonAsync(http, OrgSettingsJson.Serialize(row.Settings));
    }

    private static async Task GetBudgetAsync(HttpContext http, string org, IOrgSettingsStore store, BudgetMeter budgets, TimeProvider time)
    {
        var settings = (await store.GetAsync(org, http.RequestAborted))?.Settings ?? new OrgAiSettings { OrgId = org };
        var now = time.GetUtcNow();
        var spent = await budgets.SpentAsync(org, now, http.RequestAborted);
        var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("org_id"u8, org);
            writer.WriteString("month"u8, BudgetMonth.Of(now).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteNumber("tokens_used"u8, spent.Tokens);
            OrgSettingsJson.WriteNumberOrNull(writer, "usd_used"u8, spent.Usd);
            OrgSettingsJson.WriteNumberOrNull(writer, "monthly_token_budget"u8, settings.MonthlyTokenBudget);
            OrgSettingsJson.WriteNumberOrNull(writer, "monthly_usd_budget"u8, settings.MonthlyUsdBudget);
            OrgSettingsJson.WriteNumberOrNull(writer, "remaining_share"u8, BudgetShare.Remaining(settings, spent));
            writer.WriteBoolean("hard_budget"u8, settings.HardBudget);
            writer.WriteEndObject();
        }

        await WriteJsonAsync(http, buffer.ToArray());
    }

    private static async Task<JsonDocument?> ReadJsonAsync(HttpContext http)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                    $"An org settings body is at most {MaxBodyBytes} bytes.");
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException ex)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                $"We could not parse the JSON body of your request: {ex.Message}");
            return null;
        }
    }

    private static Task WriteJsonAsync(HttpContext http, byte[] json)
    {
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = json.Length;
        return http.Response.Body.WriteAsync(json, http.RequestAborted).AsTask();
    }
}
