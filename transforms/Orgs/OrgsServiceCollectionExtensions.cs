using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Orgs;

/// <summary>Registers org and customer settings: stored, held in memory for the hot path, resolved once per call.</summary>
public static class OrgsServiceCollectionExtensions
{
    /// <summary>Adds the settings stores, their in-memory snapshot and refresher, and the settings step; call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddOrgSettings(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddStore<ISettingsStore, PostgresSettingsStore, SqliteSettingsStore>();
        services.AddSingleton<IOrgSettingsStore, OrgSettingsStore>();
        services.AddSingleton<ICustomerSettingsStore, CustomerSettingsStore>();
        services.AddSingleton<OrgSettingsSnapshot>();
        services.AddHostedService<OrgSettingsRefresher>();
        services.AddSingleton<OrgSettingsMiddleware>();
        return services;
    }
}
