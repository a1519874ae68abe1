using System.Diagnostics.Metrics;
using AiGateway.Transforms.Storage;
using AiGateway.Transforms.Telemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace AiGateway.Metrics;

/// <summary>Registers the metrics API's store and OpenTelemetry: metrics always (for <c>GET /metrics</c>), OTLP export and tracing only when configured.</summary>
public static class MetricsServiceCollectionExtensions
{
    /// <summary>The OpenTelemetry setting that turns on OTLP export of traces and metrics.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// Adds the instruments, the metrics store (on the store <c>AddGatewayStorage</c> chose) and the OpenTelemetry SDK. Without <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> no tracer is registered, so no span is
    /// ever created.
    /// </summary>
    public static IServiceCollection AddGatewayMetrics(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddGatewayTelemetry();
        services.AddStore<IAiMetricsStore, PostgresAiMetricsStore, SqliteAiMetricsStore>();

        var otlp = !string.IsNullOrWhiteSpace(configuration[OtlpEndpointSetting]);
        var telemetry = services.AddOpenTelemetry();
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            telemetry.ConfigureResource(resource => resource.AddService("aigateway"));
        }

        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(GatewayTelemetry.Name);
            ((IDeferredMeterProviderBuilder)metrics).Configure((provider, builder) =>
            {
                // A provider listens to every meter of that name in the process; keep to this host's own (tests run several hosts).
                var own = provider.GetRequiredService<IMeterFactory>();
                builder.AddView(instrument => instrument.Meter.Scope is null || ReferenceEquals(instrument.Meter.Scope, own) ? null : MetricStreamConfiguration.Drop);
            });
            // Scrapes read current values: Prometheus scrapes seldom, and a cached answer would hide a test's traffic.
            metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(GatewayTelemetry.Name)
                .AddAspNetCoreInstrumentation(aspNetCore => aspNetCore.Filter = IsTraced)
                .AddHttpClientInstrumentation()
                .AddOtlpExporter());
        }

        return services;
    }

    // Scrapes, probes and dashboards would drown the traces of the calls that matter.
    private static bool IsTraced(HttpContext context)
    {
        var path = context.Request.Path;
        return !path.StartsWithSegments("/metrics") && !path.StartsWithSegments("/healthz") && !path.StartsWithSegments("/readyz")
            && !path.StartsWithSegments("/dev") && !path.StartsWithSegments("/api/metrics");
    }
}
