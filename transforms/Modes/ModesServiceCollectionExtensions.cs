using AiGateway.Config;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Modes;

/// <summary>Registers modes (<c>cheap</c>, <c>smart</c>, <c>auto</c>), the org settings and budgets they depend on, and their configuration checks.</summary>
public static class ModesServiceCollectionExtensions
{
    /// <summary>Adds the mode step, org settings and budgets; call it after <c>AddGatewayStorage</c> and <c>AddCostLog</c>.</summary>
    public static IServiceCollection AddModes(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOrgs(configuration);
        services.AddSingleton<ModeSelector>();
        services.AddSingleton<ModeMiddleware>();
        services.AddSingleton<IValidateOptions<GatewayOptions>, ModeConfigValidator>();
        return services;
    }
}
