using AiGateway.Config;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Cors;

/// <summary>
/// The CORS policy of the paths a browser page uses (<c>/v1/*</c>, <c>/api/inflight/*</c>, <c>/sdk/*</c>), from
/// <c>Gateway:Cors</c> as it is now (edits apply without a restart); no policy elsewhere, so the operator surfaces
/// never answer another origin.
/// </summary>
internal sealed class GatewayCorsPolicyProvider(IOptionsMonitor<GatewayOptions> options) : ICorsPolicyProvider
{
    // Request headers a page may send: what the stream client and the official SDK send, besides x-aigw-* (matched by
    // prefix below, since CORS lists names and takes no patterns).
    private static readonly string[] RequestHeaders = ["authorization", "content-type", "last-event-id", "cache-control"];

    // x-aigw-* is the gateway's own (CONTRACT §4, §10.6); x-stainless-* and openai-* are what the official OpenAI SDK
    // sends from a browser, so `new OpenAI({ fetch: aigwFetch, dangerouslyAllowBrowser: true })` works from a page too.
    private static readonly string[] RequestHeaderPrefixes = ["x-aigw-", "x-stainless-", "openai-"];

    /// <summary>
    /// Response headers a page may read. Named one by one: CORS takes no prefix, and its <c>*</c> would not hold for a
    /// request made with credentials.
    /// </summary>
    internal static readonly string[] ExposedHeaders =
    [
        "x-aigw-cache", "x-aigw-dedupe", "x-aigw-model", "x-aigw-mode", "x-aigw-cost-usd", "x-aigw-request-id", "x-aigw-fallback-model",
        // OpenAI's own, which the SDKs read to retry and to pace themselves.
        "x-request-id", "openai-processing-ms", "retry-after", "retry-after-ms", "x-should-retry", "age",
        "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests",
        "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens",
    ];

    private static readonly Task<CorsPolicy?> NoPolicy = Task.FromResult<CorsPolicy?>(null);

    private Snapshot? _snapshot;

    /// <summary>True for the paths under the policy.</summary>
    public static bool Applies(PathString path) =>
        path.StartsWithSegments("/v1") || path.StartsWithSegments("/api/inflight") || path.StartsWithSegments("/sdk");

    /// <inheritdoc/>
    public Task<CorsPolicy?> GetPolicyAsync(HttpContext context, string? policyName)
    {
        if (!Applies(context.Request.Path))
        {
            return NoPolicy;
        }

        // Even with no origin configured the gateway answers preflights itself (admitting none) rather than forwarding
        // them: the upstream's own CORS answer must not open the gateway to every origin.
        var snapshot = Current();
        var request = context.Request;
        if (!HttpMethods.IsOptions(request.Method) || !request.Headers.ContainsKey(HeaderNames.AccessControlRequestMethod))
        {
            return snapshot.Task;
        }

        var admitted = new List<string>();
        foreach (var header in request.Headers.GetCommaSeparatedValues(HeaderNames.AccessControlRequestHeaders))
        {
            if (Array.Exists(RequestHeaderPrefixes, prefix => header.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)))
            {
                admitted.Add(header);
            }
        }

        return admitted.Count == 0
            ? snapshot.Task
            : Task.FromResult<CorsPolicy?>(new CorsPolicyBuilder(snapshot.Policy).WithHeaders([.. admitted]).Build());
    }

    private Snapshot Current()
    {
        var gateway = options.CurrentValue;
        var snapshot = _snapshot;
        if (snapshot is not null && ReferenceEquals(snapshot.Source, gateway))
        {
            return snapshot;
        }

        var cors = gateway.Cors;
        var policy = new CorsPolicyBuilder()
            .WithOrigins([.. cors.Origins])
            .WithMethods(HttpMethods.Get, HttpMethods.Post, HttpMethods.Delete)
            .WithHeaders(RequestHeaders)
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromSeconds(cors.PreflightMaxAgeSeconds))
            .Build();
        snapshot = new Snapshot(gateway, policy, Task.FromResult<CorsPolicy?>(policy));
        _snapshot = snapshot;
        return snapshot;
    }

    // The policy built for one binding of the options; a reload binds a new instance and so builds a new policy.
    private sealed record Snapshot(GatewayOptions Source, CorsPolicy Policy, Task<CorsPolicy?> Task);
}
