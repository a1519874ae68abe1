using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Errors;

namespace AiGateway.Admin;

/// <summary>Maps <c>DELETE /api/cache</c>: purge entries by org, route and/or fingerprint.</summary>
public static class CacheAdminEndpointRouteBuilderExtensions
{
    /// <summary>Maps the cache purge endpoint behind the admin filter.</summary>
    public static IEndpointRouteBuilder MapCacheAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapDelete("/api/cache", async (HttpContext http, IResponseCacheStore store, string? org, string? route, string? fingerprint) =>
        {
            if (org is null && route is null && fingerprint is null)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "missing_filter",
                    "Name what to purge: org, route and/or fingerprint.");
                return;
            }

            var purged = await store.PurgeAsync(org, route, fingerprint?.ToLowerInvariant(), http.RequestAborted);
            await http.Response.WriteAsJsonAsync(new { purged });
        }).AddEndpointFilter<AdminAuthorizationFilter>();
        return endpoints;
    }
}
