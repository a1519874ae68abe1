using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace AiGateway.Transforms.Proxy;

/// <summary>Registers YARP (routes and clusters from the <c>ReverseProxy</c> section, hot-reloaded) and the AI gateway steps.</summary>
public static class AiGatewayProxyServiceCollectionExtensions
{
    /// <summary>Adds the reverse proxy with the gateway's transforms, upstream handler and pipeline steps.</summary>
    public static IServiceCollection AddAiGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReverseProxy()
            .LoadFromConfig(configuration.GetSection("ReverseProxy"))
            .AddTransforms<AiGatewayTransformProvider>();
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<IdentityMiddleware>();
        services.AddSingleton<AiExchangeMiddleware>();
        return services;
    }
}
