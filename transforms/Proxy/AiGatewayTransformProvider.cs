using System.Net.Http.Headers;
using AiGateway.Config;
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

    private static ValueTask TransformResponse(ResponseTransformContext context)
    {
        var exchange = context.HttpContext.Features.Get<AiExchange>();
        var upstream = context.ProxyResponse;
        if (exchange is null || upstream is null || !IsEventStream(upstream.Content.Headers.ContentType))
        {
            return ValueTask.CompletedTask;
        }

        context.SuppressResponseBody = true;
        context.HttpContext.Response.ContentLength = null;
        return new ValueTask(SseRelay.RelayAsync(exchange, upstream));
    }

    private static bool IsEventStream(MediaTypeHeaderValue? contentType) =>
        string.Equals(contentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
}
