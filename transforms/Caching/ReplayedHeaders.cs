namespace AiGateway.Transforms.Caching;

/// <summary>
/// Which upstream response headers a cache entry keeps (CONTRACT §5): the informative ones an app may log.
/// Account-identifying headers (<c>openai-organization</c>, <c>openai-project</c>) are not kept, as entries can be shared.
/// </summary>
internal static class ReplayedHeaders
{
    /// <summary>Whether a cache entry keeps the header <paramref name="name"/>.</summary>
    public static bool Keeps(string name) =>
        name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("x-request-id", StringComparison.OrdinalIgnoreCase)
        || name.Equals("openai-processing-ms", StringComparison.OrdinalIgnoreCase)
        || name.Equals("openai-version", StringComparison.OrdinalIgnoreCase)
        || name.Equals("openai-model", StringComparison.OrdinalIgnoreCase)
        || name.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase);
}
