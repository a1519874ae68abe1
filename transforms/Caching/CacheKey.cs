namespace AiGateway.Transforms.Caching;

/// <summary>Where an answer is cached: its request fingerprint, and whose entry it is.</summary>
/// <param name="Fingerprint">The request fingerprint.</param>
/// <param name="Scope">
/// Whose entry: the org id for an org's or its customers' calls, <c>~</c> and the route for a route shared across orgs.
/// The Redis store names its keys by it, so that an org's entries are found without an index.
/// </param>
public readonly record struct CacheKey(string Fingerprint, string Scope)
{
    /// <summary>The scope of an entry of a route shared across orgs.</summary>
    public static string SharedScope(string route) => "~" + route;
}
