using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Quota;

/// <summary>Registers the quota step and the monthly budget count: in Redis when <c>ConnectionStrings:Redis</c> is set (shared by instances), in-process otherwise.</summary>
public static class QuotaServiceCollectionExtensions
{
    /// <summary>Adds the quota step, the budget count and the month-spend store it is seeded from; call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddQuota(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStore<IMonthSpendStore, PostgresMonthSpendStore, SqliteMonthSpendStore>();
        if (configuration.HasRedis())
        {
            services.AddSingleton<IBudgetCounter, RedisBudgetCounter>();
        }
        else
        {
            services.AddSingleton<MemoryBudgetCounter>();
            services.AddSingleton<IBudgetCounter>(sp => sp.GetRequiredService<MemoryBudgetCounter>());
            services.AddHostedService(sp => sp.GetRequiredService<MemoryBudgetCounter>());
        }

        services.AddSingleton<BudgetMeter>();
        services.AddSingleton<QuotaMiddleware>();
        return services;
    }
}
