using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiGateway.Config;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using Microsoft.Extensions.Options;

namespace AiGateway.Admin;

/// <summary>
/// Guards the operator surfaces (CONTRACT §8, §10.3): <c>Authorization: Bearer &lt;Gateway:Admin:Key&gt;</c> everywhere,
/// <c>Gateway:Admin:ReadOnlyKey</c> where the endpoint declares a read (<see cref="AdminEndpointMetadata"/>; without it,
/// the full key), or, with no admin key configured, requests from loopback only. Who was let in is the request's
/// <see cref="AuditActor"/> feature, for the audit log.
/// </summary>
internal sealed class AdminAuthorizationFilter(IOptionsMonitor<GatewayOptions> options) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var access = http.GetEndpoint()?.Metadata.GetMetadata<AdminEndpointMetadata>()?.Access ?? AdminAccess.Change;
        var admin = options.CurrentValue.Admin;
        var actor = Caller(http, admin);
        if (actor is null)
        {
            await RequestDrain.BeforeRefusalAsync(http);
            await OpenAiError.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_admin_key",
                string.IsNullOrEmpty(admin.Key)
                    ? "No Gateway:Admin:Key is configured, so the operator API answers on loopback only."
                    : "The operator API needs 'Authorization: Bearer <Gateway:Admin:Key>' (or, to read, <Gateway:Admin:ReadOnlyKey>).");
            // Not null, which the endpoint would write as a JSON result after this answer (and fail, the response having started).
            return Results.Empty;
        }

        if (actor == AuditActor.ReadOnlyKey && access != AdminAccess.Read)
        {
            await RequestDrain.BeforeRefusalAsync(http);
            await OpenAiError.WriteAsync(http, StatusCodes.Status403Forbidden, "invalid_request_error", "admin_key_read_only",
                "This is Gateway:Admin:ReadOnlyKey, which reads the operator API but changes nothing: use Gateway:Admin:Key.");
            return Results.Empty;
        }

        http.Features.Set(new AuditActor(actor, http.Connection.RemoteIpAddress?.ToString()));
        return await next(context);
    }

    // The actor name of the caller's key, or null when it has none that opens the operator API.
    private static string? Caller(HttpContext http, AdminOptions admin)
    {
        if (string.IsNullOrEmpty(admin.Key))
        {
            return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) ? AuditActor.Loopback : null;
        }

        var given = http.Request.Headers.Authorization.ToString();
        if (FixedTimeEquals(given, "Bearer " + admin.Key))
        {
            return AuditActor.AdminKey;
        }

        return !string.IsNullOrEmpty(admin.ReadOnlyKey) && FixedTimeEquals(given, "Bearer " + admin.ReadOnlyKey) ? AuditActor.ReadOnlyKey : null;
    }

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
