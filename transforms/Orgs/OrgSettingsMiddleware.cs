using AiGateway.Transforms.Exchange;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// Proxy-pipeline step after the exchange: resolves the settings in force for the call's org (from memory, kept current
/// by <see cref="OrgSettingsRefresher"/>) once, as <see cref="CallSettings"/>, for every later step.
/// </summary>
internal sealed class OrgSettingsMiddleware(OrgSettingsSnapshot settings)
{
    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Features.Get<AiExchange>() is { } exchange)
        {
            context.Features.Set(settings.For(exchange.Identity.OrgId));
        }

        return next(context);
    }
}
