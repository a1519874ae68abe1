using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Upstream;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Forwarder;

namespace AiGateway.Transforms.Pipeline;

/// <summary>Registers YARP (routes and clusters from the <c>ReverseProxy</c> section, hot-reloaded) and the AI gateway steps.</summary>
public static class AiGatewayProxyServiceCollectionExtensions
{
    /// <summary>Adds the reverse proxy with the gateway's transforms, upstream handler and pipeline steps.</summary>
    public static IServiceCollection AddAiGatewayProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddReverseProxy()
            .LoadFromValidatedConfig()
            .AddTransforms<AiGatewayTransformProvider>()
            .AddUpstreamResilience();
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ApiKeyAuthenticator>();
        services.AddSingleton<IdentityMiddleware>();
        services.AddSingleton<AiExchangeMiddleware>();
        services.AddSingleton<LiveResponseRegistry>();
        services.AddSingleton<CostLogMiddleware>();
        services.AddSingleton<DedupeMiddleware>();
        return services;
    }
}
