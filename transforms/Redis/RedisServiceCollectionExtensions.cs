using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Redis;

/// <summary>Registers the shared Redis connection when <c>ConnectionStrings:Redis</c> is set.</summary>
public static class RedisServiceCollectionExtensions
{
    /// <summary>Whether the configuration names a Redis server.</summary>
    public static bool HasRedis(this IConfiguration configuration) => !string.IsNullOrWhiteSpace(configuration.GetConnectionString("Redis"));

    /// <summary>Adds the one <see cref="RedisConnection"/>, if Redis is configured.</summary>
    public static IServiceCollection AddGatewayRedis(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.HasRedis())
        {
            services.AddSingleton(sp => new RedisConnection(configuration.GetConnectionString("Redis")!, sp.GetRequiredService<ILogger<RedisConnection>>()));
        }

        return services;
    }
}
