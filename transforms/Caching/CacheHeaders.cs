namespace AiGateway.Transforms.Caching;

/// <summary>Header names of the cache (CONTRACT §4–5).</summary>
internal static class CacheHeaders
{
    /// <summary>The response header with the <see cref="CacheStatus"/>.</summary>
    public const string Cache = "x-aigw-cache";
}
