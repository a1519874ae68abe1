using AiGateway.Transforms.Errors;

namespace AiGateway;

/// <summary>
/// Refuses a request whose <c>Host</c> holds a malformed punycode label (<c>xn--</c> that does not decode) with 400
/// <c>invalid_header</c>. Kestrel checks only the header's characters; <see cref="HttpRequest.Host"/> decodes punycode on
/// every read and throws on such a name, so without this every reader of it (the admin loopback check, the dashboards,
/// YARP building the upstream request) failed with a 500 or 502 and a logged stack trace.
/// </summary>
internal sealed class HostHeaderGuard(RequestDelegate next)
{
    /// <summary>Runs the check; a Host without <c>xn--</c> costs one substring search.</summary>
    public Task InvokeAsync(HttpContext context)
    {
        // The same test HostString.FromUriComponent makes before it decodes (ordinal, case-sensitive).
        if (context.Request.Headers.Host.ToString().Contains("xn--", StringComparison.Ordinal) && !Decodes(context.Request))
        {
            return OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_header",
                "The Host header holds a punycode label (xn--) that does not decode to a host name.", "Host");
        }

        return next(context);
    }

    private static bool Decodes(HttpRequest request)
    {
        try
        {
            _ = request.Host;
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
