using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AiGateway.Config;

/// <summary>Registers the validated <see cref="GatewayOptions"/>.</summary>
public static class GatewayOptionsServiceCollectionExtensions
{
    /// <summary>Binds the <c>Gateway</c> section, fills defaults from the environment and validates it at start-up.</summary>
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptionsWithValidateOnStart<GatewayOptions, GatewayOptionsValidator>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .PostConfigure(options => options.Upstream.ApiKey ??= configuration["OPENAI_API_KEY"]);
        return services;
    }
}
