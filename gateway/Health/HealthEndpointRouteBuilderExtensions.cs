using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace AiGateway.Health;

/// <summary>Maps <c>/healthz</c> (alive) and <c>/readyz</c> (configured dependencies connected).</summary>
public static class HealthEndpointRouteBuilderExtensions
{
    /// <summary>Maps both health endpoints; they need no key, as load balancers call them.</summary>
    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthServiceCollectionExtensions.ReadyTag) });
        return endpoints;
    }
}
