using System.Net;
using System.Security.Cryptography;
using System.Text;
using AiGateway.Config;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;
using Microsoft.Extensions.Options;

namespace AiGateway.Admin;

/// <summary>
/// Guards the operator surfaces (CONTRACT §8, §10.3): <c>Authorization: Bearer &lt;Gateway:Admin:Key&gt;</c> everywhere,
/// <c>Gateway:Admin:ReadOnlyKey</c> where the endpoint declares a read (<see cref="AdminEndpointMetadata"/>; without it,
/// the full key), or, with no admin key configured, requests from loopback that name a loopback <c>Host</c> only. Who was
/// let in is the request's <see cref="AuditActor"/> feature, for the audit log.
/// </summary>
internal sealed partial class AdminAuthorizationFilter(IOptionsMonitor<GatewayOptions> options, ILogger<AdminAuthorizationFilter> logger) : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var access = http.GetEndpoint()?.Metadata.GetMetadata<AdminEndpointMetadata>()?.Access ?? AdminAccess.Change;
        var admin = options.CurrentValue.Admin;

        // DNS rebinding: a page in the operator's browser whose name now resolves to 127.0.0.1 calls from loopback, but its
        // Host header still names the attacker's domain. Without a key, loopback is trusted only when Host says loopback too.
        if (string.IsNullOrEmpty(admin.Key) && !IsLoopbackHost(http.Request.Host))
        {
            return await RefuseAsync(http, StatusCodes.Status403Forbidden, "host_not_allowed",
                "No Gateway:Admin:Key is configured, so the operator API answers only requests addressed to localhost, 127.0.0.1 or [::1]; configure Gateway:Admin:Key to reach it by another name.");
        }

        var actor = Caller(http, admin);
        if (actor is null)
        {
            return await RefuseAsync(http, StatusCodes.Status401Unauthorized, "invalid_admin_key",
                string.IsNullOrEmpty(admin.Key)
                    ? "No Gateway:Admin:Key is configured, so the operator API answers on loopback only."
                    : "The operator API needs 'Authorization: Bearer <Gateway:Admin:Key>' (or, to read, <Gateway:Admin:ReadOnlyKey>).");
        }

        if (actor == AuditActor.ReadOnlyKey && access != AdminAccess.Read)
        {
            return await RefuseAsync(http, StatusCodes.Status403Forbidden, "admin_key_read_only",
                "This is Gateway:Admin:ReadOnlyKey, which reads the operator API but changes nothing: use Gateway:Admin:Key.");
        }

        http.Features.Set(new AuditActor(actor, http.Connection.RemoteIpAddress?.ToString()));
        return await next(context);
    }

    /// <summary>Whether <paramref name="host"/> names this machine's loopback: <c>localhost</c>, a loopback address, any port.</summary>
    internal static bool IsLoopbackHost(HostString host)
    {
        var name = host.Host;
        if (name.Length == 0)
        {
            return false;
        }

        if (string.Equals(name, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        // HostString keeps an IPv6 literal in its brackets.
        var literal = name.Length > 2 && name[0] == '[' && name[^1] == ']' ? name[1..^1] : name;
        return IPAddress.TryParse(literal, out var address) && IPAddress.IsLoopback(address);
    }

    // Short-circuits the endpoint: a refusal is written before the response starts, and Results.Empty (not null, which the
    // endpoint would write as a JSON result after this answer) writes nothing after it.
    private async ValueTask<object?> RefuseAsync(HttpContext http, int status, string code, string message)
    {
        Log.Refused(logger, http.Request.Method, http.Request.Path.Value, status, code);
        await RequestDrain.BeforeRefusalAsync(http);
        await OpenAiError.WriteAsync(http, status, "invalid_request_error", code, message);
        return Results.Empty;
    }

    // The actor name of the caller's key, or null when it has none that opens the operator API.
    private static string? Caller(HttpContext http, AdminOptions admin)
    {
        if (string.IsNullOrEmpty(admin.Key))
        {
            return http.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote) ? AuditActor.Loopback : null;
        }

        var given = BearerCredentials(http.Request.Headers.Authorization.ToString());
        if (given is null)
        {
            return null;
        }

        if (FixedTimeEquals(given, admin.Key))
        {
            return AuditActor.AdminKey;
        }

        return !string.IsNullOrEmpty(admin.ReadOnlyKey) && FixedTimeEquals(given, admin.ReadOnlyKey) ? AuditActor.ReadOnlyKey : null;
    }

    /// <summary>The credentials of a <c>Bearer</c> authorization, the scheme matched case-insensitively (RFC 7235 §2.1); else null.</summary>
    internal static string? BearerCredentials(string authorization) =>
        BearerToken.From(authorization) is { IsEmpty: false } credentials ? credentials.ToString() : null;

    private static bool FixedTimeEquals(string given, string expected) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static partial class Log
    {
        // Debug, one line, never an exception: anyone who reaches the port can make refusals, so they must not flood the log.
        [LoggerMessage(EventId = 7001, EventName = "AdminRefused", Level = LogLevel.Debug, Message = "Operator call refused: {Method} {Path} -> {Status} {Code}.")]
        public static partial void Refused(ILogger logger, string method, string? path, int status, string code);
    }
}
