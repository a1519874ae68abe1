using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Caching;

/// <summary>Registers the response cache: Redis-backed when Redis is configured, in-process otherwise.</summary>
public static class ResponseCacheServiceCollectionExtensions
{
    /// <summary>Adds the cache policy, store and pipeline step.</summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGatewayRedis(configuration);
        if (configuration.HasRedis())
        {
            services.AddSingleton<IResponseCacheStore, RedisResponseCacheStore>();
        }
        else
        {
            services.AddSingleton<IResponseCacheStore, MemoryResponseCacheStore>();
        }

        services.AddSingleton<CachePolicy>();
        services.AddSingleton<ResponseCacheMiddleware>();
        return services;
    }
}
