using AiGateway.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Modes;

/// <summary>Registers modes (<c>cheap</c>, <c>smart</c>, <c>auto</c>) and their configuration check.</summary>
public static class ModesServiceCollectionExtensions
{
    /// <summary>Adds the mode step, its selector and the check that every mode names a priced model.</summary>
    public static IServiceCollection AddModes(this IServiceCollection services)
    {
        services.AddSingleton<ModeSelector>();
        services.AddSingleton<ModeMiddleware>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, ModeConfigValidator>();
        return services;
    }
}
