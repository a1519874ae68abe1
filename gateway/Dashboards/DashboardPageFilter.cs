using AiGateway.Admin;
using AiGateway.Config;
using Microsoft.Extensions.Options;

namespace AiGateway.Dashboards;

/// <summary>
/// Guards the dashboard pages. With no admin key they answer on loopback only, like every operator surface; with a key
/// the page itself (which holds no data) is served, and its requests to the metrics API carry the key the operator
/// types into it.
/// </summary>
internal sealed class DashboardPageFilter(IOptionsMonitor<GatewayOptions> options, ILogger<AdminAuthorizationFilter> logger) : IEndpointFilter
{
    private readonly AdminAuthorizationFilter _admin = new(options, logger);

    /// <inheritdoc/>
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
        => string.IsNullOrEmpty(options.CurrentValue.Admin.Key) ? _admin.InvokeAsync(context, next) : next(context);
}
