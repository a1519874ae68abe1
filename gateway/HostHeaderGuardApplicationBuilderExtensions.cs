namespace AiGateway;

/// <summary>Puts <see cref="HostHeaderGuard"/> on the request path.</summary>
public static class HostHeaderGuardApplicationBuilderExtensions
{
    /// <summary>Refuses malformed punycode <c>Host</c> names before any step reads the host; first on the path.</summary>
    public static IApplicationBuilder UseHostHeaderGuard(this IApplicationBuilder app) => app.UseMiddleware<HostHeaderGuard>();
}
