using AiGateway.Transforms.Audit;

namespace AiGateway.Admin;

/// <summary>What the admin filter established about an operator call.</summary>
internal static class AdminHttpContextExtensions
{
    /// <summary>Who is calling, for the audit log: set by <see cref="AdminAuthorizationFilter"/> on every operator endpoint.</summary>
    public static AuditActor AdminActor(this HttpContext http) =>
        http.Features.Get<AuditActor>() ?? throw new InvalidOperationException("The endpoint is not behind the admin filter (AdminRead or AdminChange).");
}
