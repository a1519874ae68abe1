using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Dedupe;

/// <summary>Registers dedupe and resume: the registry of live answers and, with Redis, the leases that make them cross-instance.</summary>
public static class DedupeServiceCollectionExtensions
{
    /// <summary>Adds the dedupe step, the live-answer registry and, when Redis is configured, the lease renewer; the latter needs <c>AddGatewayRedis</c> first.</summary>
    public static IServiceCollection AddDedupe(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<LiveResponseRegistry>();
        if (configuration.HasRedis())
        {
            services.AddSingleton(sp => new RedisLeaseRenewer(sp.GetRequiredService<RedisConnection>()));
            services.AddSingleton<RedisMirrorRequests>();
        }

        services.AddSingleton<DedupeMiddleware>();
        return services;
    }
}
