using AiGateway.Config;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Payloads;

/// <summary>Registers opt-in payload logging: the call sink, the composer and redactor, the writer and its store.</summary>
public static class PayloadsServiceCollectionExtensions
{
    /// <summary>Adds payload logging on the store <c>AddGatewayStorage</c> chose; call it after that and after <c>AddCostLog</c>.</summary>
    public static IServiceCollection AddPayloads(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddStore<IPayloadStore, PostgresPayloadStore, SqlitePayloadStore>();
        services.AddSingleton(sp => new PayloadRedactor(sp.GetRequiredService<IOptions<GatewayOptions>>().Value.Payloads.Redact.Patterns));
        services.AddSingleton<PayloadComposer>();
        services.AddSingleton<PayloadWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<PayloadWriter>());
        services.AddSingleton<ICallLogSink, PayloadCallSink>();
        return services;
    }
}
