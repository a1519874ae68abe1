namespace AiGateway.Transforms.Quota;

/// <summary>What a budget counts against (CONTRACT §10.4): an org, one customer of it, or one virtual key of it.</summary>
/// <param name="OrgId">The org; every account belongs to one, and its counts share the org's Redis Cluster slot.</param>
/// <param name="CustomerId">The customer, for a customer's account.</param>
/// <param name="KeyId">The key's id (12 hex characters), for a key's account.</param>
public readonly record struct SpendAccount(string OrgId, string? CustomerId = null, string? KeyId = null)
{
    /// <summary>An org's own account: everything its calls spent, its customers' and keys' included.</summary>
    public static SpendAccount Org(string orgId) => new(orgId);

    /// <summary>A customer's account: what calls made for it spent.</summary>
    public static SpendAccount Customer(string orgId, string customerId) => new(orgId, CustomerId: customerId);

    /// <summary>A virtual key's account: what calls made with it spent.</summary>
    public static SpendAccount Key(string orgId, string keyId) => new(orgId, KeyId: keyId);

    /// <summary>The account's name within its org: <c>org</c>, <c>c:CUSTOMER</c> or <c>k:KEYID</c>.</summary>
    public string Scope => CustomerId is { } customer ? "c:" + customer : KeyId is { } key ? "k:" + key : "org";
}
