using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// The first proxy-pipeline step: recognises a call to an understood or a metered endpoint, stamps it as an
/// <see cref="AiCall"/> and names it to the client in <c>x-aigw-request-id</c> before any step can refuse it. Other
/// requests pass untouched.
/// </summary>
internal sealed class AiCallMiddleware(TimeProvider time)
{
    /// <summary>The response header naming the call's row in the performance log.</summary>
    public const string RequestIdHeader = "x-aigw-request-id";

    /// <summary>Runs the step.</summary>
    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        // The AI endpoints first: they are the busy ones, and a metered path is never one of them.
        var endpoint = (CallEndpoint?)AiEndpoint.Match(context.Request.Method, context.Request.Path.Value)
            ?? MeteredEndpoint.Match(context.Request.Method, context.Request.Path.Value);
        if (endpoint is not null)
        {
            var receivedAt = time.GetUtcNow();
            var call = new AiCall(endpoint, RequestId.NewVersion7(receivedAt), receivedAt);
            context.Features.Set(call);
            context.Response.Headers[RequestIdHeader] = call.RequestId.ToString();
        }

        return next(context);
    }
}
