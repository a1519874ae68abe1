using System.Globalization;
using System.Text.Json;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Orgs;

namespace AiGateway.Admin;

/// <summary>
/// Maps the keys API (CONTRACT §10.3): issue (<c>POST /api/keys</c>, the secret answered once), list, read, budget,
/// change the policy (<c>PATCH</c>), revoke (<c>DELETE</c>) and rotate. A key is named by its id (the first 12 hex
/// characters of its hash); no answer carries a secret other than the one just issued, nor a whole hash. A change made
/// here applies to the key's next call on this instance, and within <c>Gateway:Auth:KeyCacheSeconds</c> on the others.
/// </summary>
public static class KeysAdminEndpointRouteBuilderExtensions
{
    /// <summary>The longest overlap of a rotation: 30 days.</summary>
    public const int MaxOverlapSeconds = 30 * 86400;

    private const string OverlapField = "overlap_seconds";

    /// <summary>Maps the keys endpoints behind the admin keys.</summary>
    public static IEndpointRouteBuilder MapKeysAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/api/keys", CreateAsync).AdminChange();
        endpoints.MapGet("/api/keys", ListAsync).AdminRead();
        endpoints.MapGet("/api/keys/{id}", GetAsync).AdminRead();
        endpoints.MapGet("/api/keys/{id}/budget", GetBudgetAsync).AdminRead();
        endpoints.MapPatch("/api/keys/{id}", PatchAsync).AdminChange();
        endpoints.MapDelete("/api/keys/{id}", RevokeAsync).AdminChange();
        endpoints.MapPost("/api/keys/{id}/rotate", RotateAsync).AdminChange();
        return endpoints;
    }

    private static async Task CreateAsync(HttpContext http, IApiKeyStore store, TimeProvider time)
    {
        var now = KeyTime.Now(time);
        using var body = await AdminJson.ReadAsync(http);
        if (body is null)
        {
            return;
        }

        var (patch, error) = ApiKeyPolicyPatch.Parse(body.RootElement, creating: true, now);
        if (patch is null)
        {
            await AdminJson.RefuseAsync(http, error!);
            return;
        }

        var issued = await new KeyIssuer(store, time).CreateAsync(patch, http.AdminActor(), http.RequestAborted);
        await WriteIssuedAsync(http, issued, now);
    }

    private static async Task ListAsync(HttpContext http, IApiKeyStore store, TimeProvider time)
    {
        if (!await AdminJson.OnlyKnownParametersAsync(http, "org"))
        {
            return;
        }

        var org = http.Request.Query["org"].LastOrDefault();
        var keys = await store.ListAsync(string.IsNullOrEmpty(org) ? null : org, http.RequestAborted);
        var now = KeyTime.Now(time);
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteStartArray("keys"u8);
            foreach (var key in keys)
            {
                writer.WriteStartObject();
                ApiKeyJson.Write(writer, key, now);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static async Task GetAsync(HttpContext http, string id, IApiKeyStore store, TimeProvider time)
    {
        if (await FindAsync(http, id, store) is { } key)
        {
            await AdminJson.WriteAsync(http, ApiKeyJson.Serialize(key, KeyTime.Now(time)));
        }
    }

    private static async Task GetBudgetAsync(HttpContext http, string id, IApiKeyStore store, BudgetMeter budgets, TimeProvider time)
    {
        if (await FindAsync(http, id, store) is not { } key)
        {
            return;
        }

        var now = time.GetUtcNow();
        var spent = await budgets.SpentAsync(SpendAccount.Key(key.OrgId, key.Id), now, http.RequestAborted);
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteString("id"u8, key.Id);
            writer.WriteString("org"u8, key.OrgId);
            writer.WriteString("month"u8, BudgetMonth.Of(now).ToString("yyyy-MM", CultureInfo.InvariantCulture));
            writer.WriteNumber("tokens_used"u8, spent.Tokens);
            SettingsJson.WriteNumberOrNull(writer, "usd_used"u8, spent.Usd);
            SettingsJson.WriteNumberOrNull(writer, "monthly_usd_budget"u8, key.MonthlyUsdBudget);
            SettingsJson.WriteNumberOrNull(writer, "remaining_usd"u8, key.MonthlyUsdBudget is { } budget ? Math.Max(0m, budget - spent.Usd) : null);
        });
    }

    private static async Task PatchAsync(HttpContext http, string id, IApiKeyStore store, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        var now = KeyTime.Now(time);
        using var body = await AdminJson.ReadAsync(http);
        if (body is null || await FindActiveAsync(http, id, store) is not { } found)
        {
            return;
        }

        var (patch, error) = ApiKeyPolicyPatch.Parse(body.RootElement, creating: false, now);
        if (patch is null)
        {
            await AdminJson.RefuseAsync(http, error!);
            return;
        }

        var key = await store.ChangeAsync(found.Id,
            current => patch.Fields.Count == 0 || current.RevokedAt is not null ? null : new ApiKeyChange(patch.ApplyTo(current), AuditActions.KeyUpdate),
            http.AdminActor(), http.RequestAborted);
        authenticator.Forget(found.Id);
        await AdminJson.WriteAsync(http, ApiKeyJson.Serialize(key ?? found, now));
    }

    private static async Task RevokeAsync(HttpContext http, string id, IApiKeyStore store, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        if (await FindAsync(http, id, store) is not { } found)
        {
            return;
        }

        // Revoking a revoked key changes nothing and records nothing; the answer is the key as it is.
        var key = await new KeyIssuer(store, time).RevokeAsync(found.Id, http.AdminActor(), http.RequestAborted);
        authenticator.Forget(found.Id);
        await AdminJson.WriteAsync(http, ApiKeyJson.Serialize(key ?? found, KeyTime.Now(time)));
    }

    private static async Task RotateAsync(HttpContext http, string id, IApiKeyStore store, ApiKeyAuthenticator authenticator, TimeProvider time)
    {
        var now = KeyTime.Now(time);
        using var body = await AdminJson.ReadAsync(http);
        if (body is null || await FindActiveAsync(http, id, store) is not { } found)
        {
            return;
        }

        // The body: overlap_seconds, and any policy field the successor should have other than the old key's.
        var (overlap, overlapError) = body.RootElement.ValueKind == JsonValueKind.Object && body.RootElement.TryGetProperty(OverlapField, out var value)
            ? JsonFields.Whole(OverlapField, value, 0, MaxOverlapSeconds)
            : (null, null);
        var (patch, error) = ApiKeyPolicyPatch.Parse(body.RootElement, creating: false, now, ignoredField: OverlapField);
        var issuer = new KeyIssuer(store, time);
        error ??= overlapError ?? (overlap is null
            ? FieldError.Invalid(OverlapField, $"Say how long the old key keeps working: {{\"{OverlapField}\": 3600}} (0 to {MaxOverlapSeconds}; 0 ends it now).")
            : issuer.CheckRotation(found, patch!));
        if (error is not null)
        {
            await AdminJson.RefuseAsync(http, error);
            return;
        }

        var issued = await issuer.RotateAsync(found.Id, (int)overlap!.Value, patch!, http.AdminActor(), http.RequestAborted);
        authenticator.Forget(found.Id);
        if (issued is null)
        {
            // Revoked between the read and the change: nothing was issued.
            await RefuseRevokedAsync(http, found.Id);
            return;
        }

        await WriteIssuedAsync(http, issued, now);
    }

    private static async Task WriteIssuedAsync(HttpContext http, KeyIssuer.Issued issued, DateTime now)
    {
        // The only answer that ever holds a secret: no cache, proxy or browser may keep it.
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers.Location = "/api/keys/" + issued.Key.Id;
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteString("key"u8, issued.Secret);
            ApiKeyJson.Write(writer, issued.Key, now);
            if (issued.Replaced is { } replaced)
            {
                writer.WriteStartObject("replaces"u8);
                writer.WriteString("id"u8, replaced.Id);
                writer.WriteString("expires_at"u8, DateTime.SpecifyKind(replaced.ExpiresAt!.Value, DateTimeKind.Utc));
                writer.WriteEndObject();
            }
        }, StatusCodes.Status201Created);
    }

    private static async Task<ApiKeyRecord?> FindAsync(HttpContext http, string id, IApiKeyStore store)
    {
        if (id.Length == ApiKeyRecord.IdLength && id.All(char.IsAsciiHexDigitLower)
            && await store.FindByIdAsync(id, http.RequestAborted) is { } key)
        {
            return key;
        }

        await RequestDrain.BeforeRefusalAsync(http);
        await OpenAiError.WriteAsync(http, StatusCodes.Status404NotFound, "invalid_request_error", "key_not_found",
            $"No key has the id '{id}': an id is the 12 lower-case hex characters GET /api/keys lists.", "id");
        return null;
    }

    private static async Task<ApiKeyRecord?> FindActiveAsync(HttpContext http, string id, IApiKeyStore store)
    {
        if (await FindAsync(http, id, store) is not { } key)
        {
            return null;
        }

        if (key.RevokedAt is null)
        {
            return key;
        }

        await RefuseRevokedAsync(http, key.Id);
        return null;
    }

    private static Task RefuseRevokedAsync(HttpContext http, string id) =>
        OpenAiError.WriteAsync(http, StatusCodes.Status409Conflict, "invalid_request_error", "key_revoked",
            $"The key '{id}' is revoked: a revoked key is never changed or rotated. Issue a new key with POST /api/keys.", "id");
}
