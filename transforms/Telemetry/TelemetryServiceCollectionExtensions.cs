using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Telemetry;

/// <summary>Registers the gateway's instruments (<see cref="GatewayTelemetry"/>).</summary>
public static class TelemetryServiceCollectionExtensions
{
    /// <summary>Adds the instruments, created on the host's meter factory; call it after <c>AddCostLog</c> so the log writer's gauges are observed.</summary>
    public static IServiceCollection AddGatewayTelemetry(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton<ModelLabel>();
        services.TryAddSingleton(sp => new GatewayTelemetry(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<ModelLabel>(), sp.GetService<PerfLogWriter>()));
        services.AddSingleton<ICallLogSink>(sp => sp.GetRequiredService<GatewayTelemetry>());
        return services;
    }
}
