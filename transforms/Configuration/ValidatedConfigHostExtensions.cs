using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AiGateway.Transforms.Configuration;

/// <summary>Start-up check of the configuration.</summary>
public static class ValidatedConfigHostExtensions
{
    /// <summary>Checks the configuration before any other service reads it; throws <see cref="GatewayConfigurationException"/> listing every error.</summary>
    public static IHost EnsureValidConfiguration(this IHost host)
    {
        host.Services.GetRequiredService<ConfigGuard>();
        return host;
    }
}
