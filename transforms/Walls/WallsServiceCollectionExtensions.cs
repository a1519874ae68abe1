using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace AiGateway.Transforms.Walls;

/// <summary>Registers the tenant wall.</summary>
public static class WallsServiceCollectionExtensions
{
    /// <summary>Adds the tenant wall step and the <c>object_owners</c> store; call it after <c>AddGatewayStorage</c>.</summary>
    public static IServiceCollection AddTenantWalls(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddStore<IObjectOwnerStore, PostgresObjectOwnerStore, SqliteObjectOwnerStore>();
        // The middleware asks through the memory of known owners; the store itself stays registered for other readers.
        services.AddSingleton(sp => new TenantWallMiddleware(
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AiGateway.Config.GatewayOptions>>(),
            new KnownObjectOwners(sp.GetRequiredService<IObjectOwnerStore>()),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ObjectOwnerRecorder>>()));
        return services;
    }
}
