using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiGateway.Health;

/// <summary>Ready when the shared Redis connection is up.</summary>
internal sealed class RedisHealthCheck(RedisConnection redis) : IHealthCheck
{
    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(redis.IsConnected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("Redis is not connected."));
}
