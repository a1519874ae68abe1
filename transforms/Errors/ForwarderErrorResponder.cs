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
    public static Task WriteIfFailedAsync(HttpContext context)
    {
        var error = context.Features.Get<IForwarderErrorFeature>();
        if (error is null || context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        return error.Error switch
        {
            ForwarderError.RequestTimedOut => OpenAiError.WriteAsync(context, StatusCodes.Status504GatewayTimeout, "server_error", "upstream_timeout",
                "The upstream API did not answer in time."),
            ForwarderError.NoAvailableDestinations => OpenAiError.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "server_error", "upstream_unavailable",
                "No upstream destination is available."),
            ForwarderError.Request or ForwarderError.RequestCreation or ForwarderError.ResponseHeaders => OpenAiError.WriteAsync(context, StatusCodes.Status502BadGateway, "server_error", "upstream_unreachable",
                "The upstream API could not be reached: " + Describe(error.Exception)),
            // Client-side failures (canceled, bad request body) leave YARP's status; there is nobody to read a body.
            _ => Task.CompletedTask,
        };
    }

    private static string Describe(Exception? exception)
    {
        while (exception?.InnerException is not null && exception is HttpRequestException or AggregateException)
        {
            exception = exception.InnerException;
        }

        return exception?.Message ?? "unknown error";
    }
}
