using AiGateway.Config;
using Microsoft.Extensions.Primitives;
using Yarp.ReverseProxy.Configuration;

namespace AiGateway.Transforms.Configuration;

/// <summary>One configuration that passed every check: YARP's routes and clusters and the <c>Gateway</c> options, read together.</summary>
internal sealed class ValidatedConfig(IReadOnlyList<RouteConfig> routes, IReadOnlyList<ClusterConfig> clusters, GatewayOptions gateway) : IProxyConfig
{
    private readonly CancellationTokenSource _replaced = new();

    /// <inheritdoc/>
    public IReadOnlyList<RouteConfig> Routes { get; } = routes;

    /// <inheritdoc/>
    public IReadOnlyList<ClusterConfig> Clusters { get; } = clusters;

    /// <summary>The <c>Gateway</c> section, bound and validated.</summary>
    public GatewayOptions Gateway { get; } = gateway;

    /// <inheritdoc/>
    public IChangeToken ChangeToken => new CancellationChangeToken(_replaced.Token);

    /// <summary>Signals YARP that a newer validated configuration replaces this one.</summary>
    public void MarkReplaced() => _replaced.Cancel();
}
