using AiGateway.Transforms.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace AiGateway.Health;

/// <summary>Ready when Postgres answers a trivial query.</summary>
internal sealed class PostgresHealthCheck(PostgresDatabase database) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = database.DataSource.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy("Postgres is not reachable: " + ex.Message);
        }
    }
}
