using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Modes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Pipeline;

/// <summary>Maps the proxy with the AI gateway's pipeline steps in front of YARP's own.</summary>
public static class AiGatewayProxyEndpointRouteBuilderExtensions
{
    /// <summary>Maps the YARP routes; each request passes identity, the AI exchange, the cost log, the mode, the usage request, cache and dedupe steps, in that order.</summary>
    public static IEndpointRouteBuilder MapAiGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var identity = services.GetRequiredService<IdentityMiddleware>();
        var exchange = services.GetRequiredService<AiExchangeMiddleware>();
        var costLog = services.GetRequiredService<CostLogMiddleware>();
        var modes = services.GetRequiredService<ModeMiddleware>();
        var cache = services.GetRequiredService<ResponseCacheMiddleware>();
        var dedupe = services.GetRequiredService<DedupeMiddleware>();
        endpoints.MapReverseProxy(proxy =>
        {
            // The steps take the next step as a RequestDelegate: the Func<Task> form allocates a closure per step and request.
            proxy.Use(static async (HttpContext context, RequestDelegate next) =>
            {
                await next(context);
                await ForwarderErrorResponder.WriteIfFailedAsync(context);
            });
            proxy.Use(identity.InvokeAsync);
            proxy.Use(exchange.InvokeAsync);
            proxy.Use(costLog.InvokeAsync);
            proxy.Use(modes.InvokeAsync);
            proxy.Use(StreamUsageRequest.InvokeAsync);
            proxy.Use(cache.InvokeAsync);
            proxy.Use(dedupe.InvokeAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return endpoints;
    }
}
