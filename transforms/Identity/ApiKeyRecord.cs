namespace AiGateway.Transforms.Identity;

/// <summary>A row of <c>api_keys</c>: a virtual key known only by its SHA-256 hash.</summary>
public sealed record ApiKeyRecord(string KeyHash, string OrgId, string Name, DateTime CreatedAt, DateTime? RevokedAt);
