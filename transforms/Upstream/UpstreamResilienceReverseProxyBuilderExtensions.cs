using AiGateway.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.LoadBalancing;

namespace AiGateway.Transforms.Upstream;

/// <summary>Registers upstream retries, fallback models, timeouts, the per-destination circuit breaker and the primary-first (fallback) load balancing.</summary>
public static class UpstreamResilienceReverseProxyBuilderExtensions
{
    /// <summary>Adds the request transform that lets the forwarder client resend understood calls, the handler that does it, the fallback model check, and the breaker and fallback policies.</summary>
    public static IReverseProxyBuilder AddUpstreamResilience(this IReverseProxyBuilder builder)
    {
        builder.AddTransforms<UpstreamExchangeTransformProvider>();
        builder.Services.AddSingleton<UpstreamResilienceHandlerFactory>();
        builder.Services.AddSingleton<IValidateOptions<GatewayOptions>, FallbackModelValidator>();
        builder.Services.AddSingleton<IPassiveHealthCheckPolicy, UpstreamCircuitBreakerPolicy>();
        builder.Services.AddSingleton<ILoadBalancingPolicy, PrimaryFirstLoadBalancingPolicy>();
        return builder;
    }
}
