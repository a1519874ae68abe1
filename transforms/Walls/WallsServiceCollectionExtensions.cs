using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Walls;

/// <summary>Registers the tenant wall.</summary>
public static class WallsServiceCollectionExtensions
{
    /// <summary>Adds the tenant wall step.</summary>
    public static IServiceCollection AddTenantWalls(this IServiceCollection services)
    {
        services.AddSingleton<TenantWallMiddleware>();
        return services;
    }
}
