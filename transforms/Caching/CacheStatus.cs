namespace AiGateway.Transforms.Caching;

/// <summary>The <c>x-aigw-cache</c> outcome of a call (CONTRACT §5).</summary>
public enum CacheStatus
{
    /// <summary>Answered from the cache; upstream not called.</summary>
    Hit,

    /// <summary>Not in the cache; upstream called, the answer stored if cacheable.</summary>
    Miss,

    /// <summary><c>Cache-Control: no-cache</c>: lookup skipped, upstream called, the entry refreshed.</summary>
    Refresh,

    /// <summary>Cache neither read nor written (<c>no-store</c>, or caching off for the route or org).</summary>
    Bypass,
}
