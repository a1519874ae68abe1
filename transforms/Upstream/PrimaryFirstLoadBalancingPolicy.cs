using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Model;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// <c>LoadBalancingPolicy = PrimaryFirst</c>: every request goes to the destination named <c>primary</c> while it is
/// available; when its circuit is open (see <see cref="UpstreamCircuitBreakerPolicy"/>), to the first other available
/// destination by name — the fallback.
/// </summary>
internal sealed class PrimaryFirstLoadBalancingPolicy : ILoadBalancingPolicy
{
    /// <summary>The policy name used in the cluster configuration.</summary>
    public const string PolicyName = "PrimaryFirst";

    /// <summary>The destination preferred while it is available (CONTRACT §9 names the shipped destination so).</summary>
    public const string PrimaryDestinationId = "primary";

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public DestinationState? PickDestination(HttpContext context, ClusterState cluster, IReadOnlyList<DestinationState> availableDestinations)
    {
        DestinationState? first = null;
        foreach (var destination in availableDestinations)
        {
            if (string.Equals(destination.DestinationId, PrimaryDestinationId, StringComparison.OrdinalIgnoreCase))
            {
                return destination;
            }

            if (first is null || string.Compare(destination.DestinationId, first.DestinationId, StringComparison.OrdinalIgnoreCase) < 0)
            {
                first = destination;
            }
        }

        return first;
    }
}
