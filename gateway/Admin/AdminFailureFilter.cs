using System.Data.Common;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;

namespace AiGateway.Admin;

/// <summary>
/// Answers an operator call whose store failed in OpenAI's shape instead of a 500: 503 <c>audit_unavailable</c> when the
/// audit entry of a change could not be written (the change was rolled back with it, or not started), 503
/// <c>store_unavailable</c> when the store itself could not be reached.
/// </summary>
internal sealed class AdminFailureFilter : IEndpointFilter
{
    /// <inheritdoc/>
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        try
        {
            return await next(context);
        }
        catch (AuditUnavailableException ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "server_error", "audit_unavailable",
                "Nothing was changed: the change could not be recorded in the admin audit log (" + ex.InnerException?.Message + ").");
        }
        catch (DbException ex) when (!http.RequestAborted.IsCancellationRequested)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status503ServiceUnavailable, "server_error", "store_unavailable",
                "The gateway's database could not be used: " + ex.Message);
        }

        return Results.Empty;
    }
}
