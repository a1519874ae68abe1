using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Orgs;

/// <summary>Registers org settings (stored, held in memory for the hot path) and the monthly budget count.</summary>
public static class OrgsServiceCollectionExtensions
{
    /// <summary>
    /// Adds the settings store and its in-memory snapshot, and the budget count: in Redis when <c>ConnectionStrings:Redis</c>
    /// is set, in-process otherwise. Call it after <c>AddGatewayStorage</c> and <c>AddCostLog</c>, so that migrations run first.
    /// </summary>
    public static IServiceCollection AddOrgs(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
        {
            services.AddSingleton<IOrgSettingsStore, SqliteOrgSettingsStore>();
            services.AddSingleton<IMonthSpendStore, SqliteMonthSpendStore>();
        }
        else
        {
            services.AddSingleton<IOrgSettingsStore, PostgresOrgSettingsStore>();
            services.AddSingleton<IMonthSpendStore, PostgresMonthSpendStore>();
        }

        services.AddSingleton<OrgSettingsSnapshot>();
        services.AddHostedService<OrgSettingsRefresher>();
        if (configuration.HasRedis())
        {
            if (!services.Any(d => d.ServiceType == typeof(RedisConnection)))
            {
                services.AddGatewayRedis(configuration);
            }

            services.AddSingleton<IBudgetCounter, RedisBudgetCounter>();
        }
        else
        {
            services.AddSingleton<MemoryBudgetCounter>();
            services.AddSingleton<IBudgetCounter>(sp => sp.GetRequiredService<MemoryBudgetCounter>());
            services.AddHostedService(sp => sp.GetRequiredService<MemoryBudgetCounter>());
        }

        services.AddSingleton<BudgetMeter>();
        return services;
    }
}
