namespace AiGateway.Transforms.Upstream;

/// <summary>What the gateway attaches to an upstream <see cref="HttpRequestMessage"/> for <see cref="UpstreamResilienceHandler"/>.</summary>
internal static class UpstreamRequestOptions
{
    /// <summary>The AI call the request carries and its outcome; absent on passthrough requests, which are never retried.</summary>
    public static readonly HttpRequestOptionsKey<UpstreamOutcome> Call = new("aigw.call");
}
