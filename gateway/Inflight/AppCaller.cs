using AiGateway.Config;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.Options;

namespace AiGateway.Inflight;

/// <summary>
/// The app asking about its own calls (<c>GET /api/inflight/{id}</c>, <c>POST /api/inflight/{id}/release</c>): the org its
/// key maps to, as on the proxy (VirtualKeys: the key's org; Passthrough: a hash of the key), and the customer it names in
/// <c>x-aigw-customer</c>. A call is the app's own only when both match the call's.
/// </summary>
internal sealed class AppCaller(ApiKeyAuthenticator authenticator, IOptionsMonitor<GatewayOptions> options, TimeProvider time)
{
    /// <summary>The org and customer of the request's key, or null after writing its 400/401.</summary>
    public async Task<(string OrgId, string? CustomerId)?> IdentifyAsync(HttpContext http)
    {
        var key = BearerToken.From(http.Request.Headers.Authorization.ToString());
        OrgIdentity? identity = null;
        if (!key.IsEmpty && (options.CurrentValue.Auth.Mode == AuthMode.Passthrough || key.Span.StartsWith(ApiKeyHasher.VirtualKeyPrefix, StringComparison.Ordinal)))
        {
            identity = await authenticator.AuthenticateAsync(key.Span, http.RequestAborted);
        }

        if (identity is null)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_request_error", "invalid_api_key",
                "Send the app's own key as 'Authorization: Bearer <key>': the one its call was made with.");
            return null;
        }

        if (identity.Key is { ExpiresAt: { } expires } && time.GetUtcNow().UtcDateTime >= expires)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status401Unauthorized, "invalid_request_error", "key_expired", "This API key has expired.");
            return null;
        }

        string? customer = null;
        if (http.Request.Headers.TryGetValue(CustomerId.Header, out var named))
        {
            customer = named.ToString();
            if (!CustomerId.IsValid(customer))
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_customer",
                    "x-aigw-customer must be 1 to 64 of A-Z, a-z, 0-9, '.', '_', ':' and '-'.", CustomerId.Header);
                return null;
            }
        }

        return (identity.OrgId, customer);
    }
}
