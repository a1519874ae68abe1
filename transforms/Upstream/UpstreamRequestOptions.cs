using AiGateway.Transforms.Exchange;

namespace AiGateway.Transforms.Upstream;

/// <summary>What the gateway attaches to an upstream <see cref="HttpRequestMessage"/> for <see cref="UpstreamResilienceHandler"/>.</summary>
internal static class UpstreamRequestOptions
{
    /// <summary>The AI call the request carries; absent on passthrough requests, which are never retried.</summary>
    public static readonly HttpRequestOptionsKey<AiExchange> Exchange = new("aigw.exchange");
}
