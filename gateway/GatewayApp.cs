using AiGateway.Admin;
using AiGateway.Config;
using AiGateway.Cors;
using AiGateway.Costs;
using AiGateway.Health;
using AiGateway.Inflight;
using AiGateway.Metrics;
using AiGateway.Sdk;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Configuration;
using AiGateway.Transforms.Pipeline;
using AiGateway.Transforms.Storage;

namespace AiGateway;

/// <summary>The gateway's composition, shared by <c>Program</c> and the functional tests so both run the same host.</summary>
public static class GatewayApp
{
    /// <summary>Builds the gateway web application.</summary>
    public static WebApplication Build(WebApplicationOptions options)
    {
        var builder = WebApplication.CreateBuilder(options);
        // Passthrough uploads (files, audio, batches) are limited by the upstream, not by Kestrel's 30 MB default;
        // understood endpoints are bounded by Gateway:MaxRequestBytes instead.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = null);
        builder.WebHost.UseDefaultListenAddress(builder.Configuration);
        builder.Logging.AddRequestLogDefault();
        builder.Services.AddGatewayOptions(builder.Configuration);
        builder.Services.AddGatewayStorage(builder.Configuration);
        builder.Services.AddAiGatewayProxy(builder.Configuration);
        builder.Services.AddGatewayHealth(builder.Configuration);
        builder.Services.AddGatewayMetrics(builder.Configuration);
        builder.Services.AddGatewayCors();
        builder.Services.AddAuditLog();
        builder.Services.AddCostsExport(builder.Configuration);
        builder.Services.AddInflightApi();

        var app = builder.Build();
        app.EnsureValidConfiguration();
        app.UseHostHeaderGuard();
        app.UseGatewayCors();
        app.MapGatewayHealth();
        app.MapCacheAdminApi();
        app.MapOrgSettingsAdminApi();
        app.MapKeysAdminApi();
        app.MapAuditAdminApi();
        app.MapLogsAdminApi();
        app.MapGatewayMetrics();
        app.MapSdk();
        app.MapCostsApi();
        app.MapInflightApi();
        app.MapAiGatewayProxy();
        return app;
    }
}
