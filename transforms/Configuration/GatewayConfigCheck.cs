using AiGateway.Config;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;

namespace AiGateway.Transforms.Configuration;

/// <summary>
/// Checks the whole configuration at once — the YARP <c>ReverseProxy</c> section, the <c>Gateway</c> section and the
/// connection strings — and lists every error found. The same check runs at start-up, on every hot reload and in the
/// <c>validate</c> verb. Extension point: further <c>Gateway</c> rules (e.g. that every mode and route model is priced)
/// are <see cref="IValidateOptions{GatewayOptions}"/> registrations; they run here through the options factory.
/// </summary>
internal sealed class GatewayConfigCheck(
    IConfiguration configuration,
    IOptionsFactory<GatewayOptions> gatewayOptions,
    IEnumerable<IPostConfigureOptions<GatewayOptions>> postConfigures,
    IEnumerable<IValidateOptions<GatewayOptions>> validators,
    IConfigValidator proxyValidator)
{
    /// <summary>The cluster the shipped configuration and the contract name as the upstream (CONTRACT §9).</summary>
    public const string UpstreamClusterId = "openai";

    /// <summary>The configuration as it is now, validated, or null with the errors that stop it.</summary>
    public async Task<(ValidatedConfig? Config, IReadOnlyList<string> Errors)> RunAsync()
    {
        var errors = new List<string>();
        var proxy = ReadProxySection(errors);
        if (proxy is { } read)
        {
            await CheckProxyAsync(read.Routes, read.Clusters, errors);
        }

        var gateway = ReadGatewaySection(errors);
        ConnectionStringCheck.CheckPostgres(configuration.GetConnectionString("Postgres"), errors);
        ConnectionStringCheck.CheckRedis(configuration.GetConnectionString("Redis"), errors);
        return errors.Count == 0 ? (new ValidatedConfig(proxy!.Value.Routes, proxy.Value.Clusters, gateway!), errors) : (null, errors);
    }

    private (IReadOnlyList<RouteConfig> Routes, IReadOnlyList<ClusterConfig> Clusters)? ReadProxySection(List<string> errors)
    {
        // YARP's own reader, so that the routes and clusters served are exactly those YARP would have read.
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReverseProxy().LoadFromConfig(configuration.GetSection("ReverseProxy"));
        using var provider = services.BuildServiceProvider();
        try
        {
            var config = provider.GetRequiredService<IProxyConfigProvider>().GetConfig();
            return (config.Routes, config.Clusters);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or ArgumentException or OverflowException)
        {
            errors.Add("ReverseProxy could not be read: " + Messages(ex));
            return null;
        }
    }

    private async Task CheckProxyAsync(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters, List<string> errors)
    {
        var clusterIds = clusters.Select(c => c.ClusterId).ToList();
        if (routes.Count == 0)
        {
            errors.Add("ReverseProxy:Routes is empty: no request would be forwarded.");
        }

        foreach (var route in routes)
        {
            foreach (var error in await proxyValidator.ValidateRouteAsync(route))
            {
                errors.Add($"ReverseProxy:Routes:{route.RouteId}: {error.Message}");
            }

            if (string.IsNullOrEmpty(route.ClusterId))
            {
                errors.Add($"ReverseProxy:Routes:{route.RouteId}:ClusterId is missing.");
            }
            else if (!clusterIds.Contains(route.ClusterId, StringComparer.OrdinalIgnoreCase))
            {
                // YARP accepts such a route and answers its requests with 503; the gateway refuses it up front.
                errors.Add($"ReverseProxy:Routes:{route.RouteId}:ClusterId is '{route.ClusterId}', which names no cluster{NearestName.Hint(route.ClusterId, clusterIds)}");
            }
        }

        if (!clusterIds.Contains(UpstreamClusterId, StringComparer.OrdinalIgnoreCase))
        {
            var nearest = NearestName.Find(UpstreamClusterId, clusterIds);
            errors.Add($"ReverseProxy:Clusters:{UpstreamClusterId} is missing: the upstream cluster must be named '{UpstreamClusterId}'"
                + (nearest is null ? "." : $"; is '{nearest}' meant to be '{UpstreamClusterId}'?"));
        }

        foreach (var cluster in clusters)
        {
            foreach (var error in await proxyValidator.ValidateClusterAsync(cluster))
            {
                errors.Add($"ReverseProxy:Clusters:{cluster.ClusterId}: {error.Message}");
            }

            if (cluster.Destinations is not { Count: > 0 })
            {
                errors.Add($"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations is empty: the cluster has nowhere to send requests.");
                continue;
            }

            foreach (var (name, destination) in cluster.Destinations)
            {
                if (!Uri.TryCreate(destination.Address, UriKind.Absolute, out var address) || address.Scheme is not ("http" or "https"))
                {
                    errors.Add($"ReverseProxy:Clusters:{cluster.ClusterId}:Destinations:{name}:Address is '{destination.Address}'; it must be an absolute http:// or https:// URL.");
                }
            }
        }
    }

    private GatewayOptions? ReadGatewaySection(List<string> errors)
    {
        var section = configuration.GetSection(GatewayOptions.SectionName);
        var unconvertible = OptionValueCheck.Check(section, typeof(GatewayOptions), errors);
        if (unconvertible.Count == 0)
        {
            try
            {
                return gatewayOptions.Create(Options.DefaultName);
            }
            catch (OptionsValidationException ex)
            {
                errors.AddRange(ex.Failures);
            }
            catch (InvalidOperationException ex)
            {
                errors.Add(Messages(ex));
            }

            return null;
        }

        // The binder would stop at the first bad value: bind the others without them, so that range errors are listed too.
        var others = new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable().Where(pair => !unconvertible.Contains(pair.Key, StringComparer.OrdinalIgnoreCase)))
            .Build();
        var options = new GatewayOptions();
        try
        {
            others.GetSection(GatewayOptions.SectionName).Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            errors.Add(Messages(ex));
            return null;
        }

        foreach (var postConfigure in postConfigures)
        {
            postConfigure.PostConfigure(Options.DefaultName, options);
        }

        foreach (var validator in validators)
        {
            if (validator.Validate(Options.DefaultName, options) is { Failed: true } result)
            {
                errors.AddRange(result.Failures ?? [result.FailureMessage]);
            }
        }

        return null;
    }

    private static string Messages(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join(" ", messages.Distinct());
    }
}
