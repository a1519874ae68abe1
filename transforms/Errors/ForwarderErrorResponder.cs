using Microsoft.AspNetCore.Http;
using Yarp.ReverseProxy.Forwarder;

namespace AiGateway.Transforms.Errors;

/// <summary>
/// Gives YARP's bodiless 502/503/504 an OpenAI-shaped body, so SDKs show a real message instead of a parse error.
/// Runs last in the proxy pipeline, after the forwarder has returned.
/// </summary>
internal static class ForwarderErrorResponder
{
    /// <summary>Writes the error body if the forwarder failed before the response started.</summary>
    public static Task WriteIfFailedAsync(HttpContext context) =>
        !context.Response.HasStarted && Describe(context) is { } failure
            ? OpenAiError.WriteAsync(context, failure.Status, "server_error", failure.Code, failure.Message)
            : Task.CompletedTask;

    /// <summary>The gateway error for a forwarder failure before the response started, or null (none, or the client's own fault).</summary>
    public static (int Status, string Code, string Message)? Describe(HttpContext context) =>
        context.Features.Get<IForwarderErrorFeature>() is not { } error ? null : error.Error switch
        {
            ForwarderError.RequestTimedOut => (StatusCodes.Status504GatewayTimeout, "upstream_timeout", "The upstream API did not answer in time."),
            ForwarderError.NoAvailableDestinations => (StatusCodes.Status503ServiceUnavailable, "upstream_unavailable", "No upstream destination is available."),
            ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.ResponseHeaders =>
                (StatusCodes.Status502BadGateway, "upstream_unreachable", "The upstream API could not be reached: " + Innermost(error.Exception)),
            // Client-side failures (canceled, bad request body) leave YARP's status; there is nobody to read a body.
            _ => null,
        };

    private static string Innermost(Exception? exception)
    {
        while (exception?.InnerException is not null && exception is HttpRequestException or AggregateException)
        {
            exception = exception.InnerException;
        }

        return exception?.Message ?? "unknown error";
    }
}
