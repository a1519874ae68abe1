using AiGateway.Config;
using AiGateway.Transforms.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Proxy-pipeline step for every proxied request: establishes the <see cref="OrgIdentity"/> from the bearer key,
/// or answers 401 in OpenAI's shape for an unknown or revoked virtual key (<c>invalid_api_key</c>) or an expired one
/// (<c>key_expired</c>; its expiry is checked on every call, whatever the key cache holds).
/// </summary>
internal sealed class IdentityMiddleware(ApiKeyAuthenticator authenticator, IOptionsMonitor<GatewayOptions> options, TimeProvider time)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var mode = options.CurrentValue.Auth.Mode;
        var key = BearerToken.From(context.Request.Headers.Authorization.ToString());
        ValueTask<OrgIdentity?> identity;
        if (key.IsEmpty)
        {
            // Passthrough forwards a keyless request unchanged and lets the upstream answer it.
            identity = ValueTask.FromResult<OrgIdentity?>(mode == AuthMode.Passthrough ? OrgIdentity.Anonymous : null);
        }
        else if (mode == AuthMode.VirtualKeys && !key.Span.StartsWith(ApiKeyHasher.VirtualKeyPrefix, StringComparison.Ordinal))
        {
            identity = ValueTask.FromResult<OrgIdentity?>(null);
        }
        else
        {
            identity = authenticator.AuthenticateAsync(key.Span, context.RequestAborted);
        }

        // A known key is answered from memory: the step then hands on the next step's task instead of awaiting it in a
        // state machine of its own (one allocation per request).
        if (!identity.IsCompletedSuccessfully)
        {
            return AuthenticateSlowlyAsync(context, next, identity, key.IsEmpty);
        }

        if (identity.Result is not { } known)
        {
            return RefuseAsync(context, key.IsEmpty);
        }

        context.Features.Set(known);
        return IsExpired(known) ? RefuseExpiredAsync(context) : next(context);
    }

    private async Task AuthenticateSlowlyAsync(HttpContext context, RequestDelegate next, ValueTask<OrgIdentity?> pending, bool keyless)
    {
        if (await pending is not { } identity)
        {
            await RefuseAsync(context, keyless);
            return;
        }

        context.Features.Set(identity);
        await (IsExpired(identity) ? RefuseExpiredAsync(context) : next(context));
    }

    private bool IsExpired(OrgIdentity identity) => identity.Key is { ExpiresAt: { } expires } && time.GetUtcNow().UtcDateTime >= expires;

    private static async Task RefuseExpiredAsync(HttpContext context)
    {
        await RequestDrain.BeforeRefusalAsync(context);
        await OpenAiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_request_error", "key_expired",
            "This API key has expired. Use its replacement (a rotated key), or ask the gateway's operator for a new one.");
    }

    private static async Task RefuseAsync(HttpContext context, bool keyless)
    {
        await RequestDrain.BeforeRefusalAsync(context);
        await OpenAiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key",
            keyless
                ? "You didn't provide an API key. Send a gateway key (aigw_…) as 'Authorization: Bearer <key>'."
                : "Incorrect API key provided: the key is unknown to this gateway or has been revoked.");
    }
}
