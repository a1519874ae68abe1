using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Dedupe;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Metering;
using AiGateway.Transforms.Modes;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Quota;
using AiGateway.Transforms.Walls;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Transforms.Pipeline;

/// <summary>Maps the proxy: the AI gateway's steps, in order, in front of YARP's own.</summary>
public static class AiGatewayProxyEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the YARP routes. A call goes down through the steps in this order and back up through them in reverse;
    /// each step owns what it decides and sets it as a request feature that later steps read. Passthrough requests
    /// (not an understood endpoint) pass every step untouched.
    /// </summary>
    public static IEndpointRouteBuilder MapAiGatewayProxy(this IEndpointRouteBuilder endpoints)
    {
        var services = endpoints.ServiceProvider;
        endpoints.MapReverseProxy(proxy =>
        {
            // The steps take the next step as a RequestDelegate: the Func<Task> form allocates a closure per step and request.
            proxy.Use(static async (HttpContext context, RequestDelegate next) =>
            {
                await next(context);
                // YARP's own 502/503/504 get an OpenAI-shaped body.
                await ForwarderErrorResponder.WriteIfFailedAsync(context);
            });

            // Endpoints: an understood call is stamped (AiCall) and named in x-aigw-request-id, before anything can refuse it.
            proxy.Use(services.GetRequiredService<AiCallMiddleware>().InvokeAsync);
            // CostLog: on the way back, the call's row from every step's feature (401 rows only within a bounded rate).
            proxy.Use(services.GetRequiredService<CostLogMiddleware>().InvokeAsync);
            // Identity: who calls (OrgIdentity); 401.
            proxy.Use(services.GetRequiredService<IdentityMiddleware>().InvokeAsync);
            // Exchange: the body, read once (AiExchange); 413, 400.
            proxy.Use(services.GetRequiredService<AiExchangeMiddleware>().InvokeAsync);
            // Orgs: the settings in force for the call and the customer it names (CallSettings), resolved once; 400, 403.
            proxy.Use(services.GetRequiredService<OrgSettingsMiddleware>().InvokeAsync);
            // Walls, VirtualKeys mode: another org's object named in the path or the body (404), the key's own upstream
            // credential (UpstreamCredential), or only the AI endpoints, its own objects and the shared paths with the
            // gateway's key (403); records the owner of what an AI call stores.
            proxy.Use(services.GetRequiredService<TenantWallMiddleware>().InvokeAsync);
            // Modes: the mode and the model it sends (ModeChoice); 400.
            proxy.Use(services.GetRequiredService<ModeMiddleware>().InvokeAsync);
            // Quota, what a caller may use, checked on the model the call will send: the key's allowed models (403), rate
            // limits and budgets (429, x-ratelimit-*); on the way back, reservations settled and the spend counted.
            proxy.Use(services.GetRequiredService<QuotaMiddleware>().InvokeAsync);
            // Metering: asks the upstream for a stream's usage, and prices the answer as it arrives (an answer sink).
            proxy.Use(services.GetRequiredService<MeteringMiddleware>().InvokeAsync);
            // Caching: the fingerprint and the decision (CacheFeature); a hit is answered here; 400.
            proxy.Use(services.GetRequiredService<ResponseCacheMiddleware>().InvokeAsync);
            // Dedupe: leads the answer (LeadingAnswer), follows an identical call in flight, or resumes one (DedupeFeature).
            proxy.Use(services.GetRequiredService<DedupeMiddleware>().InvokeAsync);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
            // Then YARP forwards: Upstream's transforms and handler (retries, fallback, timeouts), and the Relay pumps the
            // answer into the LeadingAnswer and writes it to the client; the answer's sinks run as it starts, meters, ends.
        });
        return endpoints;
    }
}
