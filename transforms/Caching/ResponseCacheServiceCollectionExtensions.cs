using AiGateway.Config;
using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Caching;

/// <summary>Registers the response cache: Redis-backed when Redis is configured, in-process otherwise.</summary>
public static class ResponseCacheServiceCollectionExtensions
{
    /// <summary>Adds the cache policy, store and pipeline step; the Redis store needs <c>AddGatewayRedis</c> first.</summary>
    public static IServiceCollection AddResponseCache(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.HasRedis())
        {
            services.AddSingleton(sp =>
            {
                var cache = sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Cache;
                return new NearResponseCache(TimeSpan.FromSeconds(cache.NearSeconds), cache.NearLimitBytes);
            });
            services.AddSingleton<NearCacheInvalidation>();
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
