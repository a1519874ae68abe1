using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Usage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Proxy;

/// <summary>Maps the proxy with the AI gateway's pipeline steps in front of YARP's own.</summary>
public static class AiGatewayProxyEndpointRouteBuilderExtensions
{
    /// <summary>Maps the YARP routes; each request passes identity, the AI exchange, the usage request and the cache steps, in that order.</summary>
    public static IEndpointRouteBuilder MapAiGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        var identity = services.GetRequiredService<IdentityMiddleware>();
        var exchange = services.GetRequiredService<AiExchangeMiddleware>();
        var cache = services.GetRequiredService<ResponseCacheMiddleware>();
        endpoints.MapReverseProxy(proxy =>
        {
            proxy.Use(async (context, next) =>
            {
                await next();
                await ForwarderErrorResponder.WriteIfFailedAsync(context);
            });
            proxy.Use(identity.InvokeAsync);
            proxy.Use(exchange.InvokeAsync);
            proxy.Use(StreamUsageRequest.InvokeAsync);
            proxy.Use(cache.InvokeAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return endpoints;
    }
}
