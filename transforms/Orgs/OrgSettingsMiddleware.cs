using AiGateway.Config;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// Proxy-pipeline step after the exchange: resolves the settings in force for the call (an AI or a metered one) (from memory, kept current by
/// <see cref="OrgSettingsRefresher"/>) once, as <see cref="CallSettings"/>, for every later step. A call may name the
/// customer it is made for (<c>x-aigw-customer</c>) if its key may (VirtualKeys: the key's <c>may_name_customers</c>;
/// Passthrough: the derived org's <c>customers_allowed</c>): else 403 <c>customer_not_allowed</c>; a malformed id is
/// 400 <c>invalid_customer</c>. Either way nothing reaches the upstream.
/// </summary>
internal sealed class OrgSettingsMiddleware(OrgSettingsSnapshot settings, IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<ICallExchange>() is not { } call)
        {
            return next(context);
        }

        var orgId = call.Identity.OrgId;
        if (!context.Request.Headers.TryGetValue(CustomerId.Header, out var named))
        {
            context.Features.Set(settings.For(orgId));
            return next(context);
        }

        var customer = named.Count == 1 ? named[0] : null;
        if (customer is null || !CustomerId.IsValid(customer))
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_customer",
                $"The {CustomerId.Header} header must be one customer id of 1 to {CustomerId.MaxLength} characters from A-Z, a-z, 0-9, '.', '_', ':' and '-'.",
                CustomerId.Header);
        }

        var mayName = options.CurrentValue.Auth.Mode == AuthMode.VirtualKeys
            ? call.Identity.Key?.MayNameCustomers == true
            : settings.Find(orgId)?.CustomersAllowed == true;
        if (!mayName)
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status403Forbidden, "invalid_request_error", "customer_not_allowed",
                options.CurrentValue.Auth.Mode == AuthMode.VirtualKeys
                    ? "This API key may not name customers (x-aigw-customer): its may_name_customers is false."
                    : "This org may not name customers (x-aigw-customer): its setting customers_allowed is false.",
                CustomerId.Header);
        }

        context.Features.Set(settings.For(orgId, customer));
        return next(context);
    }
}
