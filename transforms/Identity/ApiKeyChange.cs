namespace AiGateway.Transforms.Identity;

/// <summary>What a change of a key stores: the key as it becomes, the audit action that names the change, and a key issued with it (a rotation's successor).</summary>
/// <param name="Updated">The key after the change.</param>
/// <param name="Action">The audit action (<c>key.update</c>, <c>key.revoke</c>, <c>key.rotate</c>).</param>
/// <param name="Successor">A new key stored in the same transaction (recorded as <c>key.create</c>), or null.</param>
public sealed record ApiKeyChange(ApiKeyRecord Updated, string Action, ApiKeyRecord? Successor = null);
