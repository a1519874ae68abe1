namespace AiGateway.Transforms.Caching;

/// <summary>
/// Which upstream response headers a cache entry keeps (CONTRACT §5): the informative ones an app may log.
/// Account-identifying headers (<c>openai-organization</c>, <c>openai-project</c>) are not kept, as entries can be shared.
/// </summary>
internal static class ReplayedHeaders
{
    private static readonly string[] Names = ["Content-Type", "x-request-id", "openai-processing-ms", "openai-version", "openai-model"];

    /// <summary>The replayable headers of a response about to be sent.</summary>
    public static KeyValuePair<string, string>[] From(IEnumerable<KeyValuePair<string, string>> headers) =>
        headers.Where(h => Names.Contains(h.Key, StringComparer.OrdinalIgnoreCase) || h.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase)).ToArray();
}
