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
        services.AddSingleton<TenantWallMiddleware>();
        return services;
    }
}
