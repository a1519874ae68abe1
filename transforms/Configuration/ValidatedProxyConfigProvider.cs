using Yarp.ReverseProxy.Configuration;

namespace AiGateway.Transforms.Configuration;

/// <summary>YARP's routes and clusters, from the configurations <see cref="ConfigGuard"/> accepted only.</summary>
internal sealed class ValidatedProxyConfigProvider(ConfigGuard guard) : IProxyConfigProvider
{
    /// <inheritdoc/>
    public IProxyConfig GetConfig() => guard.Current;
}
