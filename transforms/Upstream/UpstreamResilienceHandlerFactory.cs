using AiGateway.Config;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Upstream;

/// <summary>Creates the <see cref="UpstreamResilienceHandler"/> that YARP's forwarder client factory puts in front of each cluster's handler.</summary>
internal sealed class UpstreamResilienceHandlerFactory(IOptionsMonitor<GatewayOptions> options, TimeProvider time, ILogger<UpstreamResilienceHandler> logger)
{
    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public HttpMessageHandler Wrap(HttpMessageHandler inner) => new UpstreamResilienceHandler(inner, options, time, logger);
}
