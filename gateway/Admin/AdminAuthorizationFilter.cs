using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiGateway.Config;
using AiGateway.Transforms.Errors;
using Microsoft.Extensions.Options;

namespace AiGateway.Admin;

/// <summary>
/// Guards the operator surfaces (CONTRACT §8): <c>Authorization: Bearer &lt;Gateway:Admin:Key&gt;</c>, or, with no admin key
/// configured, requests from loopback only.
/// </summary>
internal sealed class AdminAuthorizationFilter(IOptionsMonitor<GatewayOptions> options) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = options.CurrentValue.Admin.Key;
        var allowed = string.IsNullOrEmpty(key)
            ? http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            : FixedTimeEquals(http.Request.Headers.Authorization.ToString(), "Bearer " + key);
        if (!allowed)
        {
            await RequestDrain.BeforeRefusalAsync(http);
            await OpenAiError.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_admin_key",
                string.IsNullOrEmpty(key)
                    ? "No Gateway:Admin:Key is configured, so the operator API answers on loopback only."
                    : "The operator API needs 'Authorization: Bearer <Gateway:Admin:Key>'.");
            return null;
        }

        return await next(context);
    }

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
