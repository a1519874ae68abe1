using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Metering;

/// <summary>Registers metering: the usage request step and the meter that prices calls.</summary>
public static class MeteringServiceCollectionExtensions
{
    /// <summary>Adds <see cref="MeteringMiddleware"/> and <see cref="UsageMeter"/>; call it after <c>AddPrices</c>.</summary>
    public static IServiceCollection AddMetering(this IServiceCollection services)
    {
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<MeteringMiddleware>();
        return services;
    }
}
