using AiGateway.Config;
using AiGateway.Transforms.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace AiGateway.Transforms.Upstream;

/// <summary>Registers the way to the upstream: YARP (routes and clusters from the validated, hot-reloaded config), its transforms, retries, fallback models, timeouts, circuit breaker and primary-first balancing.</summary>
public static class UpstreamServiceCollectionExtensions
{
    /// <summary>Adds the reverse proxy with the gateway's transforms and upstream handler.</summary>
    public static IServiceCollection AddUpstream(this IServiceCollection services)
    {
        services.AddReverseProxy()
            .LoadFromValidatedConfig()
            .AddTransforms<UpstreamTransformProvider>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IForwarderHttpClientFactory, UpstreamHttpClientFactory>();
        services.AddSingleton<UpstreamResilienceHandlerFactory>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, FallbackModelValidator>();
        services.AddSingleton<IPassiveHealthCheckPolicy, UpstreamCircuitBreakerPolicy>();
        services.AddSingleton<ILoadBalancingPolicy, PrimaryFirstLoadBalancingPolicy>();
        return services;
    }
}
