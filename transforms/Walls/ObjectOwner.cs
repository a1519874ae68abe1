namespace AiGateway.Transforms.Walls;

/// <summary>Who owns an upstream object created through the gateway (a row of <c>object_owners</c>).</summary>
/// <param name="ObjectId">The upstream's id of the object, e.g. <c>resp_…</c>.</param>
/// <param name="OrgId">The org whose call created it.</param>
/// <param name="CustomerId">The customer that call named, or null.</param>
/// <param name="Kind">What the object is: <c>response</c> or <c>chat.completion</c>.</param>
public sealed record ObjectOwner(string ObjectId, string OrgId, string? CustomerId, string Kind)
{
    /// <summary>
    /// Whether a call of <paramref name="orgId"/> may name the object: its org, and where the call establishes a customer
    /// (<paramref name="customerKnown"/>: the AI endpoints), its customer too.
    /// </summary>
    public bool Admits(string orgId, string? customerId, bool customerKnown) =>
        string.Equals(OrgId, orgId, StringComparison.Ordinal)
        && (!customerKnown || string.Equals(CustomerId, customerId, StringComparison.Ordinal));
}
