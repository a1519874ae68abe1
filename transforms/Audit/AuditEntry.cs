namespace AiGateway.Transforms.Audit;

/// <summary>A row of <c>admin_audit_log</c>, as read back.</summary>
/// <param name="Id">The row's id (ascending in the order rows were written).</param>
/// <param name="Ts">When the change was made.</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Action">What kind of change (<see cref="AuditActions"/>).</param>
/// <param name="Target">What changed.</param>
/// <param name="Before">The target before, as JSON text, or null.</param>
/// <param name="After">The target after, as JSON text, or null.</param>
/// <param name="SourceIp">The caller's address, or null.</param>
public sealed record AuditEntry(long Id, DateTimeOffset Ts, string Actor, string Action, string Target, string? Before, string? After, string? SourceIp);
