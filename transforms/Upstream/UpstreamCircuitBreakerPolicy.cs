using System.Runtime.CompilerServices;
using AiGateway.Config;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// A circuit breaker per destination, as a YARP passive health policy (<c>HealthCheck:Passive:Policy = UpstreamCircuitBreaker</c>):
/// after <c>Gateway:Upstream:CircuitBreakerFailures</c> consecutive failed calls (unreachable, timed out, or 500/502/503/504
/// after the retries) the destination is taken out of rotation for the cluster's <c>ReactivationPeriod</c>; then it gets
/// traffic again, and one more failure opens it at once while a success closes it. With a second destination and the
/// <c>PrimaryFirst</c> load balancing policy, that destination is the fallback meanwhile.
/// </summary>
internal sealed partial class UpstreamCircuitBreakerPolicy(IDestinationHealthUpdater health, IOptionsMonitor<GatewayOptions> options, ILogger<UpstreamCircuitBreakerPolicy> logger) : IPassiveHealthCheckPolicy
{
    /// <summary>The policy name used in the cluster configuration.</summary>
    public const string PolicyName = "UpstreamCircuitBreaker";

    private static readonly TimeSpan DefaultReactivationPeriod = TimeSpan.FromSeconds(30);
    private readonly ConditionalWeakTable<DestinationState, StrongBox<int>> _consecutiveFailures = [];

    /// <inheritdoc/>
    public string Name => PolicyName;

    /// <inheritdoc/>
    public void RequestProxied(HttpContext context, ClusterState cluster, DestinationState destination)
    {
        var failures = _consecutiveFailures.GetOrCreateValue(destination);
        if (!Failed(context))
        {
            Interlocked.Exchange(ref failures.Value, 0);
            health.SetPassive(cluster, destination, DestinationHealth.Healthy, TimeSpan.Zero);
            return;
        }

        var count = Interlocked.Increment(ref failures.Value);
        if (count < options.CurrentValue.Upstream.CircuitBreakerFailures)
        {
            return;
        }

        var reactivation = cluster.Model.Config.HealthCheck?.Passive?.ReactivationPeriod ?? DefaultReactivationPeriod;
        if (destination.Health.Passive != DestinationHealth.Unhealthy)
        {
            Log.Opened(logger, cluster.ClusterId, destination.DestinationId, count, (long)reactivation.TotalMilliseconds);
        }

        health.SetPassive(cluster, destination, DestinationHealth.Unhealthy, reactivation);
    }

    private static bool Failed(HttpContext context)
    {
        if (context.RequestAborted.IsCancellationRequested)
        {
            // The client left: not the destination's fault.
            return false;
        }

        if (context.Features.Get<IForwarderErrorFeature>() is { } error)
        {
            return error.Error is ForwarderError.Request or ForwarderError.RequestTimedOut or ForwarderError.ResponseHeaders;
        }

        // 429 is a limit of the caller's account, not a sick destination.
        return context.Response.StatusCode is StatusCodes.Status500InternalServerError or StatusCodes.Status502BadGateway
            or StatusCodes.Status503ServiceUnavailable or StatusCodes.Status504GatewayTimeout;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8102, EventName = "CircuitOpened", Level = LogLevel.Warning,
            Message = "Destination {ClusterId}/{DestinationId} failed {Failures} times in a row; out of rotation for {ReactivationMs} ms.")]
        public static partial void Opened(ILogger logger, string clusterId, string destinationId, int failures, long reactivationMs);
    }
}
