namespace AiGateway.Transforms.Audit;

/// <summary>One entry to append to <c>admin_audit_log</c>; the store stamps its time and id.</summary>
/// <param name="Actor">Who made the change.</param>
/// <param name="Action">One of <see cref="AuditActions"/>.</param>
/// <param name="Target">What changed, e.g. <c>key:0123456789ab</c> or <c>org:acme</c>.</param>
/// <param name="Before">The target before, as a JSON object (never a secret), or null when it did not exist.</param>
/// <param name="After">The target after, as a JSON object (never a secret), or null.</param>
public sealed record AuditChange(AuditActor Actor, string Action, string Target, string? Before, string? After);
