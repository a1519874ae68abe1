using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Quota;

/// <summary>Registers the quota step and its ledger: in Redis when <c>ConnectionStrings:Redis</c> is set (shared by instances, the in-process ledger standing in while Redis is down), in process otherwise.</summary>
public static class QuotaServiceCollectionExtensions
{
    /// <summary>Adds the quota step, the ledger and the month-spend store it reconciles with; call it after <c>AddGatewayStorage</c> and <c>AddGatewayRedis</c>.</summary>
    public static IServiceCollection AddQuota(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddStore<IMonthSpendStore, PostgresMonthSpendStore, SqliteMonthSpendStore>();
        services.AddSingleton<MemoryQuotaLedger>();
        if (configuration.HasRedis())
        {
            services.AddSingleton<RedisQuotaLedger>();
            services.AddSingleton<IQuotaLedger>(sp => sp.GetRequiredService<RedisQuotaLedger>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisQuotaLedger>());
        }
        else
        {
            services.AddSingleton<IQuotaLedger>(sp => sp.GetRequiredService<MemoryQuotaLedger>());
            services.AddHostedService(sp => sp.GetRequiredService<MemoryQuotaLedger>());
        }

        services.AddSingleton<QuotaPlanner>();
        services.AddSingleton<BudgetMeter>();
        services.AddSingleton<QuotaMiddleware>();
        return services;
    }
}
