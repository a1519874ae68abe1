using Microsoft.AspNetCore.Cors.Infrastructure;

namespace AiGateway.Cors;

/// <summary>Registers and applies the gateway's CORS policy (<c>Gateway:Cors</c>, CONTRACT §10.6) on ASP.NET Core's CORS middleware.</summary>
public static class GatewayCorsServiceCollectionExtensions
{
    /// <summary>Adds the CORS services with the gateway's policy provider.</summary>
    public static IServiceCollection AddGatewayCors(this IServiceCollection services)
    {
        // Registered before AddCors, whose own registrations are TryAdd and so give way to these.
        services.AddSingleton<ICorsService, GatewayCorsService>();
        services.AddSingleton<ICorsPolicyProvider, GatewayCorsPolicyProvider>();
        services.AddCors();
        return services;
    }

    /// <summary>
    /// Puts the CORS middleware on the path: after routing, before every endpoint, so the proxied <c>/v1/*</c> routes are
    /// covered as well as the mapped ones. A request without an <c>Origin</c> header (any non-browser client) passes it
    /// at the cost of one header lookup.
    /// </summary>
    public static IApplicationBuilder UseGatewayCors(this IApplicationBuilder app) => app.UseCors();
}
