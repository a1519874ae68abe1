using System.Text.Json;
using AiGateway.Admin;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Inflight;

namespace AiGateway.Inflight;

/// <summary>
/// Maps the in-flight API (CONTRACT §10.6): <c>GET /api/inflight</c> lists the calls running on every instance (admin;
/// a read), <c>DELETE /api/inflight/{id}</c> cancels one (admin); with the app's own key, <c>GET /api/inflight/{id}</c>
/// says whether a call runs and <c>POST /api/inflight/{id}/release</c> releases a reader, for any reader's request id of
/// the same org and customer (any other id is 404: another org's call is not even confirmed to exist).
/// </summary>
public static class InflightEndpointRouteBuilderExtensions
{
    /// <summary>Maps the endpoints.</summary>
    public static IEndpointRouteBuilder MapInflightApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/inflight", ListAsync).AdminRead();
        endpoints.MapDelete("/api/inflight/{id}", CancelAsync).AdminChange();
        endpoints.MapGet("/api/inflight/{id}", RunningAsync);
        endpoints.MapPost("/api/inflight/{id}/release", ReleaseAsync);
        return endpoints;
    }

    private static async Task ListAsync(HttpContext http, InflightCalls calls, string? org, string? customer, string? route)
    {
        http.Response.Headers.CacheControl = "no-store";
        var list = await calls.ListAsync(new InflightFilter(Blank(org), Blank(customer), Blank(route)), http.RequestAborted);
        await http.Response.WriteAsJsonAsync(list, InflightJsonContext.Default.InflightList, contentType: null, http.RequestAborted);
    }

    private static async Task CancelAsync(HttpContext http, InflightCalls calls, IAuditLog audit, string id)
    {
        if (await ParseAsync(http, id) is not { } requestId)
        {
            return;
        }

        // A cancel cannot be undone, so it is recorded before it is made (as a purge is): when the entry cannot be
        // written, the call runs on. A call that ended meanwhile leaves an entry of the attempt, answered 404.
        await audit.RecordAsync(http.AdminActor(), AuditActions.InflightCancel, AuditActions.CallTarget(requestId), null,
            JsonSerializer.Serialize(new CancelAccepted(requestId, Cancelled: true), InflightApiJsonContext.Default.CancelAccepted), http.RequestAborted);
        if (!await calls.CancelAsync(requestId, http.RequestAborted))
        {
            await NotRunningAsync(http);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status202Accepted;
        await http.Response.WriteAsJsonAsync(new CancelAccepted(requestId, Cancelled: true), InflightApiJsonContext.Default.CancelAccepted);
    }

    private static async Task RunningAsync(HttpContext http, InflightCalls calls, AppCaller caller, string id)
    {
        if (await caller.IdentifyAsync(http) is not { } who || await ParseAsync(http, id) is not { } requestId)
        {
            return;
        }

        http.Response.Headers.CacheControl = "no-store";
        if (await calls.IsRunningAsync(requestId, who.OrgId, who.CustomerId, http.RequestAborted) is not { } running)
        {
            await NotRunningAsync(http);
            return;
        }

        await http.Response.WriteAsJsonAsync(new RunningState(running), InflightApiJsonContext.Default.RunningState);
    }

    private static async Task ReleaseAsync(HttpContext http, InflightCalls calls, AppCaller caller, string id)
    {
        if (await caller.IdentifyAsync(http) is not { } who || await ParseAsync(http, id) is not { } requestId)
        {
            return;
        }

        if (!await calls.ReleaseAsync(requestId, who.OrgId, who.CustomerId, http.RequestAborted))
        {
            await NotRunningAsync(http);
            return;
        }

        http.Response.StatusCode = StatusCodes.Status202Accepted;
        await http.Response.WriteAsJsonAsync(new ReleaseAccepted(Released: true), InflightApiJsonContext.Default.ReleaseAccepted);
    }

    private static async Task<Guid?> ParseAsync(HttpContext http, string id)
    {
        if (Guid.TryParse(id, out var requestId))
        {
            return requestId;
        }

        await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter",
            "The id must be a call's x-aigw-request-id (a UUID).", "id");
        return null;
    }

    private static Task NotRunningAsync(HttpContext http) =>
        OpenAiError.WriteAsync(http, StatusCodes.Status404NotFound, "invalid_request_error", "not_found",
            "No call with that id is running for this key (it ended, or it is not this org's and customer's).");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
