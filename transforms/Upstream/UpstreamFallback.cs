using AiGateway.Config;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Exchange;
using AiGateway.Transforms.Modes;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The fallback model of a call (<c>Gateway:Upstream:FallbackModels</c>) and what switching to it changes: the body's
/// <c>model</c>, the model the call is logged and priced by, the response headers, and the cache, which does not keep
/// the stand-in's answer under the call's fingerprint (the next identical call gets the real model again).
/// </summary>
internal static class UpstreamFallback
{
    /// <summary>The response header naming the fallback model that answered; absent when none did.</summary>
    public const string Header = "x-aigw-fallback-model";

    /// <summary>The model to try once when <paramref name="exchange"/>'s own model fails, or null.</summary>
    public static string? Find(UpstreamOptions options, AiExchange exchange) =>
        options.FallbackModels.Count > 0
            && exchange.Endpoint != AiEndpoint.Embeddings
            && exchange.Model is { } model
            && options.FallbackModels.TryGetValue(model, out var fallback)
            && !string.IsNullOrWhiteSpace(fallback)
            ? fallback
            : null;

    /// <summary>Points the call at <paramref name="model"/>; called before any byte of an answer reached the client.</summary>
    public static void Apply(AiExchange exchange, string model)
    {
        exchange.ReplaceBody(ModelRewrite.WithModel(exchange.Body.Span, exchange.Json, model));
        exchange.Capture = null;
        if (exchange.Cache is { } cache)
        {
            exchange.Cache = cache with { Status = CacheStatus.Bypass, Store = false };
        }

        // Set before YARP copies the upstream's headers, which keeps them; followers get them with the answer.
        var headers = exchange.HttpContext.Response.Headers;
        headers[ModeMiddleware.ModelHeader] = model;
        headers[Header] = model;
    }
}
