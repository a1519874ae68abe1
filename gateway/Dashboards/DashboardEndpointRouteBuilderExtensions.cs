using AiGateway.Admin;

namespace AiGateway.Dashboards;

/// <summary>Maps the dashboard pages <c>GET /dev/ai-metrics</c> and <c>GET /dev/stream-metrics</c> (CONTRACT §8) and their script and style.</summary>
public static class DashboardEndpointRouteBuilderExtensions
{
    /// <summary>Maps the pages; their charts draw from <c>/api/metrics/ai-performance</c> and its time series.</summary>
    public static IEndpointRouteBuilder MapGatewayDashboards(this IEndpointRouteBuilder endpoints)
    {
        Map(endpoints, "/dev/ai-metrics", DashboardAsset.Load("ai-metrics.html"));
        Map(endpoints, "/dev/stream-metrics", DashboardAsset.Load("stream-metrics.html"));
        Map(endpoints, "/dev/assets/dashboard.js", DashboardAsset.Load("dashboard.js"));
        Map(endpoints, "/dev/assets/charts.js", DashboardAsset.Load("charts.js"));
        Map(endpoints, "/dev/assets/dashboard.css", DashboardAsset.Load("dashboard.css"));
        return endpoints;
    }

    private static void Map(IEndpointRouteBuilder endpoints, string path, DashboardAsset asset)
        => endpoints.MapGet(path, (HttpContext http) => asset.ToResult(http))
            .WithMetadata(new AdminEndpointMetadata(AdminAccess.Read))
            .AddEndpointFilter<DashboardPageFilter>();
}
