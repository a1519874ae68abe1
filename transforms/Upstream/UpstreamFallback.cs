using AiGateway.Config;
using AiGateway.Transforms.Exchange;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The fallback model of a call (<c>Gateway:Upstream:FallbackModels</c>): the one more attempt a call gets with another
/// model when its own failed after its retries. The call's own body is not touched: the fallback attempt sends its own,
/// and <see cref="UpstreamOutcome.FallbackModel"/> tells the later steps (headers, cache, metering) what answered.
/// </summary>
internal static class UpstreamFallback
{
    /// <summary>The model to try once when <paramref name="exchange"/>'s own model fails, or null.</summary>
    public static string? Find(UpstreamOptions options, AiExchange exchange) =>
        options.FallbackModels.Count > 0
            && exchange.Endpoint.HasSwappableModel
            && exchange.Model is { } model
            && options.FallbackModels.TryGetValue(model, out var fallback)
            && !string.IsNullOrWhiteSpace(fallback)
            ? fallback
            : null;

    /// <summary>The body of the fallback attempt: the call's body with its <c>model</c> set to <paramref name="model"/>.</summary>
    public static byte[] Body(AiExchange exchange, string model) => ModelRewrite.WithModel(exchange.Body.Span, exchange.Json, model);
}
