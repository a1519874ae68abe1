using System.Net.Http.Headers;
using AiGateway.Config;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Relay;
using AiGateway.Transforms.Walls;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The per-route transforms of every gateway route. On the way up: strip <c>x-aigw-*</c> request headers, send the
/// gateway's own upstream key in VirtualKeys mode (or the key's own, <see cref="UpstreamCredential"/>), add no <c>X-Forwarded-*</c> headers, and hand an AI call to the
/// upstream handler (<see cref="UpstreamOutcome"/>) so it can resend its body. On the way back: start the answer the
/// call leads (<see cref="LeadingAnswer"/>) with the upstream's status and headers, and relay its body into it.
/// </summary>
internal sealed class UpstreamTransformProvider(IOptionsMonitor<GatewayOptions> options) : ITransformProvider
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
        if (HasGatewayHeader(headers))
        {
            foreach (var header in context.HttpContext.Request.Headers)
            {
                if (header.Key.StartsWith(GatewayHeaderPrefix, StringComparison.OrdinalIgnoreCase))
                {
                    headers.Remove(header.Key);
                }
            }
        }

        if (context.HttpContext.Features.Get<AiExchange>() is { } exchange)
        {
            // The gateway reads understood answers (usage, cache): ask for them uncompressed. Removed by name: the typed
            // AcceptEncoding collection would parse the values and grow the header store only to empty it.
            headers.Remove("Accept-Encoding");
            var outcome = new UpstreamOutcome(exchange);
            if (context.HttpContext.Features.Get<LeadingAnswer>() is { } leading)
            {
                // An operator's cancel, or the last reader's release, stops the call even before the upstream answers.
                outcome.AnswerAborted = leading.Answer.UpstreamAborted;
            }

            context.HttpContext.Features.Set(outcome);
            context.ProxyRequest.Options.Set(UpstreamRequestOptions.Call, outcome);
        }
        else if (context.HttpContext.Features.Get<MeteredExchange>() is not null)
        {
            // A metered answer's usage is read as it passes (Metering's UsageTap): it too must come uncompressed.
            headers.Remove("Accept-Encoding");
        }

        var gateway = options.CurrentValue;
        if (gateway.Auth.Mode == AuthMode.VirtualKeys)
        {
            // The key's own credential where the tenant wall found one, else the gateway's shared key.
            var credential = context.HttpContext.Features.Get<UpstreamCredential>()?.ApiKey ?? gateway.Upstream.ApiKey;
            headers.Authorization = new AuthenticationHeaderValue("Bearer", credential);
            // These name the client's own OpenAI account, which a virtual key does not have.
            headers.Remove("OpenAI-Organization");
            headers.Remove("OpenAI-Project");
        }

        return ValueTask.CompletedTask;
    }

    private ValueTask TransformResponse(ResponseTransformContext context)
    {
        var upstream = context.ProxyResponse;
        if (context.HttpContext.Features.Get<LeadingAnswer>() is not { Answer: var live } leading || upstream is null)
        {
            return ValueTask.CompletedTask;
        }

        var response = context.HttpContext.Response;
        if (context.HttpContext.Features.Get<UpstreamOutcome>()?.FallbackModel is { } fallback)
        {
            // Part of the answer: followers get them with it.
            response.Headers[UpstreamHeaders.Model] = fallback;
            response.Headers[UpstreamHeaders.FallbackModel] = fallback;
        }

        live.Sinks?.Start(live, response);
        var isEventStream = IsEventStream(upstream.Content.Headers.ContentType);
        if (!isEventStream && upstream.Content.Headers.ContentLength > JsonPump.ObservedLimit)
        {
            if (leading.ClientReads)
            {
                // A stream's client reads the answer, not YARP's copy: a body this large is no stream it can take.
                context.SuppressResponseBody = true;
                live.Fail(StatusCodes.Status502BadGateway, OpenAiError.Serialize("server_error", "upstream_unreachable",
                    "The upstream answered the streamed request with a body too large to relay."), default, byCancellation: false);
                return ValueTask.CompletedTask;
            }

            // Too large to hold for followers or the cache: YARP's own copy streams it to this client alone.
            live.Fail(0, default, default, byCancellation: true);
            return ValueTask.CompletedTask;
        }

        context.SuppressResponseBody = true;
        response.ContentLength = null;
        live.Start(response.StatusCode, LiveHeaders.Snapshot(response.Headers), isEventStream);
        if (leading.ClientReads)
        {
            // The client already reads the answer (it may have had keepalives): only pump. YARP disposes the upstream
            // response once this returns, so it returns when the pump is done.
            return new ValueTask(Pump(live, upstream, isEventStream));
        }

        return new ValueTask(RelayAsync(context.HttpContext.Features.Get<AiExchange>()!, leading, upstream, isEventStream));
    }

    // The upstream is read by its own task so that this client leaving does not stop it (followers, resume grace).
    // The resilience handler has normally read a JSON answer already: the pump takes its array rather than a copy.
    private static Task Pump(LiveResponse live, HttpResponseMessage upstream, bool isEventStream) => isEventStream
        ? SsePump.RunAsync(live, upstream)
        // Typed as nullable: a plain null would become an empty ReadOnlyMemory (through its conversion from arrays), the
        // body of every JSON answer the handler did not buffer (a stream request answered with an error) lost.
        : JsonPump.RunAsync(live, upstream, upstream.Content is BufferedAnswerContent buffered ? buffered.Bytes : (ReadOnlyMemory<byte>?)null);

    private async Task RelayAsync(AiExchange exchange, LeadingAnswer leading, HttpResponseMessage upstream, bool isEventStream)
    {
        // The upstream is read by its own task so that this client leaving does not stop it (followers, resume grace).
        var live = leading.Answer;
        var pump = Pump(live, upstream, isEventStream);
        var gateway = options.CurrentValue;
        await LiveResponseWriter.WriteAsync(exchange.HttpContext, live, leading.Reader, 0, exchange.ClientWantsStreamUsage, LiveClient.YarpLeader,
            exchange.HttpContext.RequestAborted, TimeSpan.FromSeconds(gateway.Resume.GraceSeconds));
        await pump;
    }

    // The usual request has no x-aigw-* header: scanning the copied headers (a struct enumerator) costs nothing, while
    // enumerating the client's header dictionary through its interface boxes an enumerator per request.
    private static bool HasGatewayHeader(HttpRequestHeaders headers)
    {
        foreach (var header in headers.NonValidated)
        {
            if (header.Key.StartsWith(GatewayHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsEventStream(MediaTypeHeaderValue? contentType) =>
        string.Equals(contentType?.MediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);
}
