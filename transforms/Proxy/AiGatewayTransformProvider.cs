using System.Net.Http.Headers;
using AiGateway.Config;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Streaming;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace AiGateway.Transforms.Proxy;

/// <summary>
/// The per-route transforms of every gateway route: strip <c>x-aigw-*</c> request headers, send the gateway's own
/// upstream key in VirtualKeys mode, add no <c>X-Forwarded-*</c> headers, and relay SSE responses of understood
/// endpoints through <see cref="SseRelay"/>.
/// </summary>
internal sealed class AiGatewayTransformProvider(IOptionsMonitor<GatewayOptions> options) : ITransformProvider
{
    private const string GatewayHeaderPrefix = "x-aigw-";

    /// <inheritdoc/>
    public void ValidateRoute(TransformRouteValidationContext context)
    {
    }

    /// <inheritdoc/>
    public void ValidateCluster(TransformClusterValidationContext context)
    {
    }

    /// <inheritdoc/>
    public void Apply(TransformBuilderContext context)
    {
        // The upstream is a third party: it gets neither the client's address nor our internal host names.
        context.UseDefaultForwarders = false;
        context.AddRequestTransform(TransformRequest);
        context.AddResponseTransform(TransformResponse);
    }

    private ValueTask TransformRequest(RequestTransformContext context)
    {
        var headers = context.ProxyRequest.Headers;
        foreach (var header in context.HttpContext.Request.Headers)
        {
            if (header.Key.StartsWith(GatewayHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                headers.Remove(header.Key);
            }
        }

        if (context.HttpContext.Features.Get<AiExchange>() is not null)
        {
            // The gateway reads understood answers (usage, cache): ask for them uncompressed.
            headers.AcceptEncoding.Clear();
        }

        var gateway = options.CurrentValue;
        if (gateway.Auth.Mode == AuthMode.VirtualKeys)
        {
            headers.Authorization = new AuthenticationHeaderValue("Bearer", gateway.Upstream.ApiKey);
            // These name the client's own OpenAI account, which a virtual key does not have.
            headers.Remove("OpenAI-Organization");
            headers.Remove("OpenAI-Project");
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask TransformResponse(ResponseTransformContext context)
    {
        var exchange = context.HttpContext.Features.Get<AiExchange>();
        var upstream = context.ProxyResponse;
        if (exchange is null || upstream is null)
        {
            return ValueTask.CompletedTask;
        }

        var response = context.HttpContext.Response;
        response.Headers[CacheHeaders.Cache] = CacheDecision.HeaderValue(exchange.Cache?.Status ?? CacheStatus.Bypass);
        if (IsEventStream(upstream.Content.Headers.ContentType))
        {
            context.SuppressResponseBody = true;
            response.ContentLength = null;
            return new ValueTask(SseRelay.RelayAsync(exchange, upstream));
        }

        var limit = Math.Max(JsonRelay.ObservedLimit, exchange.Capture is null ? 0 : options.CurrentValue.Cache.MaxEntryBytes);
        if (upstream.Content.Headers.ContentLength > limit)
        {
            // Too large to observe or store: YARP's own copy streams it.
            return ValueTask.CompletedTask;
        }

        context.SuppressResponseBody = true;
        return new ValueTask(JsonRelay.RelayAsync(exchange, upstream, limit));
    }

    private static bool IsEventStream(MediaTypeHeaderValue? contentType) =>
        string.Equals(contentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
}
