namespace AiGateway.Transforms.Caching;

/// <summary>What an entry can be purged by: the org that stored it and the route it was made on.</summary>
/// <param name="OrgId">The org that stored the entry.</param>
/// <param name="Route">The route, or null.</param>
public readonly record struct CacheTags(string OrgId, string? Route);
