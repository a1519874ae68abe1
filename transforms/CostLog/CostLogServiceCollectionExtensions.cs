using AiGateway.Config;
using AiGateway.Transforms.Prices;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.CostLog;

/// <summary>Registers the performance and cost log: prices, the log writer and its store.</summary>
public static class CostLogServiceCollectionExtensions
{
    /// <summary>
    /// Adds the cost log on Postgres when <c>ConnectionStrings:Postgres</c> is set, else on the embedded store; call it
    /// after <c>AddGatewayStorage</c> so that migrations run before prices are seeded and rows written.
    /// </summary>
    public static IServiceCollection AddCostLog(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);
        if (string.IsNullOrWhiteSpace(configuration.GetConnectionString("Postgres")))
        {
            services.AddSingleton<IPerfLogStore, SqlitePerfLogStore>();
            services.AddSingleton<IModelPriceStore, SqliteModelPriceStore>();
        }
        else
        {
            services.AddSingleton<IPerfLogStore, PostgresPerfLogStore>();
            services.AddSingleton<IModelPriceStore, PostgresModelPriceStore>();
        }

        services.AddSingleton<PriceCatalog>();
        services.AddHostedService<PriceCatalogLoader>();
        services.AddSingleton(sp => new PerfLogSpill(
            Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDir, "spill")));
        services.AddSingleton<PerfLogWriter>();
        services.AddSingleton<IPerfLogWriter>(sp => sp.GetRequiredService<PerfLogWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<PerfLogWriter>());
        return services;
    }
}
