using AiGateway.Config;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.CostLog;

/// <summary>Registers the performance and cost log: its step, the log writer and its store.</summary>
public static class CostLogServiceCollectionExtensions
{
    /// <summary>Adds the cost log on the store <c>AddGatewayStorage</c> chose; call it after that, so that migrations run before rows are written.</summary>
    public static IServiceCollection AddCostLog(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddStore<IPerfLogStore, PostgresPerfLogStore, SqlitePerfLogStore>();
        services.AddSingleton(sp => new PerfLogSpill(
            Path.Combine(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.DataDir, "spill")));
        services.AddSingleton<PerfLogWriter>();
        services.AddSingleton<IPerfLogWriter>(sp => sp.GetRequiredService<PerfLogWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<PerfLogWriter>());
        services.AddSingleton<CostLogMiddleware>();
        return services;
    }
}
