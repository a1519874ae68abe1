using System.Text.Json;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Errors;

namespace AiGateway.Admin;

/// <summary>Maps <c>DELETE /api/cache</c>: purge entries by org, route and/or fingerprint, audited.</summary>
public static class CacheAdminEndpointRouteBuilderExtensions
{
    /// <summary>Maps the cache purge endpoint behind the full admin key.</summary>
    public static IEndpointRouteBuilder MapCacheAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapDelete("/api/cache", async (HttpContext http, IResponseCacheStore store, IAuditLog audit, string? org, string? route, string? fingerprint) =>
        {
            if (org is null && route is null && fingerprint is null)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "missing_filter",
                    "Name what to purge: org, route and/or fingerprint.");
                return;
            }

            fingerprint = fingerprint?.ToLowerInvariant();
            // A purge cannot be undone, so it is recorded before it is made: when the entry cannot be written, nothing is purged.
            var filters = JsonSerializer.Serialize(new Dictionary<string, string?> { ["org"] = org, ["route"] = route, ["fingerprint"] = fingerprint });
            await audit.RecordAsync(http.AdminActor(), AuditActions.CachePurge, org is null ? "cache" : AuditActions.OrgTarget(org), null, filters, http.RequestAborted);
            var purged = await store.PurgeAsync(org, route, fingerprint, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(new { purged });
        }).AdminChange();
        return endpoints;
    }
}
