using AiGateway.Config;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace AiGateway.Transforms.Configuration;

/// <summary>Registers the validated, hot-reloaded configuration: YARP's routes and clusters and the <c>Gateway</c> options, checked together.</summary>
public static class ValidatedConfigReverseProxyBuilderExtensions
{
    /// <summary>Loads routes and clusters from the <c>ReverseProxy</c> section, publishing only configurations that pass every check together with the <c>Gateway</c> section.</summary>
    public static IReverseProxyBuilder LoadFromValidatedConfig(this IReverseProxyBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<GatewayConfigCheck>();
        services.AddSingleton<ConfigGuard>();
        services.AddSingleton<GuardedGatewayOptionsMonitor>();
        services.AddSingleton<IOptionsMonitor<GatewayOptions>>(sp => sp.GetRequiredService<GuardedGatewayOptionsMonitor>());
        services.AddSingleton<IProxyConfigProvider, ValidatedProxyConfigProvider>();
        return builder;
    }
}
