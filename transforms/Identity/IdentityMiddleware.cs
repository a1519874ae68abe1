using AiGateway.Config;
using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Proxy-pipeline step for every proxied request: establishes the <see cref="OrgIdentity"/> from the bearer key,
/// or answers 401 in OpenAI's shape for an unknown or revoked virtual key.
/// </summary>
internal sealed class IdentityMiddleware(ApiKeyAuthenticator authenticator, IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var mode = options.CurrentValue.Auth.Mode;
        var key = BearerKey(context.Request.Headers.Authorization.ToString());
        OrgIdentity? identity;
        if (key.IsEmpty)
        {
            // Passthrough forwards a keyless request unchanged and lets the upstream answer it.
            identity = mode == AuthMode.Passthrough ? OrgIdentity.Anonymous : null;
        }
        else if (mode == AuthMode.VirtualKeys && !key.Span.StartsWith(ApiKeyHasher.VirtualKeyPrefix, StringComparison.Ordinal))
        {
            identity = null;
        }
        else
        {
            identity = await authenticator.AuthenticateAsync(key.Span, context.RequestAborted);
        }

        if (identity is null)
        {
            await RequestDrain.BeforeRefusalAsync(context);
            await OpenAiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key",
                key.IsEmpty
                    ? "You didn't provide an API key. Send a gateway key (aigw_…) as 'Authorization: Bearer <key>'."
                    : "Incorrect API key provided: the key is unknown to this gateway or has been revoked.");
            return;
        }

        context.Features.Set(identity);
        await next(context);
    }

    private static ReadOnlyMemory<char> BearerKey(string authorization)
    {
        const string scheme = "Bearer ";
        return authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization.AsMemory(scheme.Length).Trim()
            : ReadOnlyMemory<char>.Empty;
    }
}
