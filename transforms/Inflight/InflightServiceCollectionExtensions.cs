using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Inflight;

/// <summary>Registers the in-flight view: this instance's id, the view, and with Redis the bus that asks the other instances.</summary>
public static class InflightServiceCollectionExtensions
{
    /// <summary>Adds <see cref="InflightCalls"/> (and, when Redis is configured, its bus); needs <c>AddDedupe</c> first.</summary>
    public static IServiceCollection AddInflight(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<GatewayInstance>();
        if (configuration.HasRedis())
        {
            // The bus answers from the view, which asks through the bus: the view is looked up when a question comes.
            services.AddSingleton(sp => new InflightBus(sp.GetRequiredService<RedisConnection>(), sp.GetRequiredService<GatewayInstance>(),
                ask => sp.GetRequiredService<InflightCalls>().AnswerAsync(ask)));
            services.AddHostedService(sp => sp.GetRequiredService<InflightBus>());
        }

        services.AddSingleton(sp => new InflightCalls(sp.GetRequiredService<LiveResponseRegistry>(), sp.GetRequiredService<GatewayInstance>(),
            sp.GetRequiredService<TimeProvider>(), sp));
        return services;
    }
}
