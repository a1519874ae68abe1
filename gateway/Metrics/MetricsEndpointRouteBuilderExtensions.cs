using System.Data.Common;
using AiGateway.Admin;
using AiGateway.Dashboards;
using AiGateway.Transforms.Errors;

namespace AiGateway.Metrics;

/// <summary>
/// Maps the operator metrics (CONTRACT §8) behind the admin keys (the read-only key reads them too): <c>GET /api/metrics/ai-performance</c>, its time series
/// <c>GET /api/metrics/ai-performance/timeseries</c>, <c>GET /metrics</c> in Prometheus text, and the dashboard pages.
/// </summary>
public static class MetricsEndpointRouteBuilderExtensions
{
    /// <summary>Most points one time series returns (the latest ones).</summary>
    public const int MaxSeriesPoints = 1500;

    /// <summary>Maps the metrics endpoints.</summary>
    public static IEndpointRouteBuilder MapGatewayMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/metrics/ai-performance", async (HttpContext http, IAiMetricsStore store) =>
        {
            if (!AiMetricsQueryParser.TryParseReport(http.Request.Query, out var filter, out var top, out var error))
            {
                await WriteBadParameterAsync(http, error);
                return;
            }

            var data = await ReadAsync(http, () => store.ReadAsync(filter, http.RequestAborted));
            if (data is not null)
            {
                await WriteAsync(http, AiPerformanceReportBuilder.Build(filter, data, top));
            }
        }).AdminRead();

        endpoints.MapGet("/api/metrics/ai-performance/timeseries", async (HttpContext http, IAiMetricsStore store) =>
        {
            if (!AiMetricsQueryParser.TryParse(http.Request.Query, allowBucket: true, out var filter, out var requested, out var error))
            {
                await WriteBadParameterAsync(http, error);
                return;
            }

            var bucket = requested ?? DefaultBucket(filter);
            var points = await ReadAsync(http, () => store.ReadSeriesAsync(filter, bucket, MaxSeriesPoints, http.RequestAborted));
            if (points is not null)
            {
                await http.Response.WriteAsJsonAsync(new TimeSeriesReport
                {
                    Org = filter.Org,
                    Customer = filter.Customer,
                    Route = filter.Route,
                    Model = filter.Model,
                    From = filter.From,
                    To = filter.To,
                    Bucket = bucket.ToString().ToLowerInvariant(),
                    BucketSeconds = bucket switch { TimeBucket.Minute => 60, TimeBucket.Hour => 3600, _ => 86400 },
                    Points = points,
                }, MetricsJsonContext.Default.TimeSeriesReport, contentType: null, http.RequestAborted);
            }
        }).AdminRead();

        // The exporter maps a plain request delegate, which endpoint filters do not wrap: the admin check runs in its branch.
        var admin = ActivatorUtilities.CreateInstance<AdminAuthorizationFilter>(endpoints.ServiceProvider);
        endpoints.MapPrometheusScrapingEndpoint("/metrics", meterProvider: null,
            configureBranchedPipeline: branch => branch.Use(async (context, next) =>
            {
                var allowed = false;
                await admin.InvokeAsync(new DefaultEndpointFilterInvocationContext(context), _ =>
                {
                    allowed = true;
                    return ValueTask.FromResult<object?>(null);
                });
                if (allowed)
                {
                    await next(context);
                }
            }),
            optionsName: null).WithMetadata(new AdminEndpointMetadata(AdminAccess.Read));
        endpoints.MapGatewayDashboards();
        return endpoints;
    }

    private static TimeBucket DefaultBucket(AiMetricsFilter filter)
    {
        if (filter.From is not { } from)
        {
            return TimeBucket.Day;
        }

        var span = (filter.To ?? DateTimeOffset.UtcNow) - from;
        return span <= TimeSpan.FromHours(6) ? TimeBucket.Minute : span <= TimeSpan.FromDays(7) ? TimeBucket.Hour : TimeBucket.Day;
    }

    private static Task WriteBadParameterAsync(HttpContext http, (string Param, string Message) error)
        => OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", error.Message, error.Param);

    private static async Task<T?> ReadAsync<T>(HttpContext http, Func<Task<T>> read)
        where T : class
    {
        http.Response.Headers.CacheControl = "no-store";
        try
        {
            return await read();
        }
        catch (DbException ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "server_error", "store_unavailable",
                "The performance log could not be read: " + ex.Message);
            return null;
        }
    }

    private static Task WriteAsync(HttpContext http, AiPerformanceReport report)
        => http.Response.WriteAsJsonAsync(report, MetricsJsonContext.Default.AiPerformanceReport, contentType: null, http.RequestAborted);
}
