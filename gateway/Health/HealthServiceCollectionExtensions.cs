using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Storage;


namespace AiGateway.Health;

/// <summary>Registers the readiness checks of the configured dependencies.</summary>
public static class HealthServiceCollectionExtensions
{
    /// <summary>The tag of checks that gate <c>/readyz</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>Adds health checks: Postgres and Redis when configured.</summary>
    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks();
        if (GatewayStorage.Of(services).IsPostgres)
        {
            checks.AddCheck<PostgresHealthCheck>("postgres", tags: [ReadyTag], timeout: TimeSpan.FromSeconds(3));
        }

        if (configuration.HasRedis())
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [ReadyTag]);
        }

        return services;
    }
}
