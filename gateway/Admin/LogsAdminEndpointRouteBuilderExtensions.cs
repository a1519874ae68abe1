using System.Globalization;
using System.Text.Json;
using AiGateway.Metrics;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Payloads;

namespace AiGateway.Admin;

/// <summary>
/// Maps <c>GET /api/logs/{request_id}</c> (CONTRACT §10.7): <c>{"row": {…}, "payload": {"request", "response",
/// "redactions", …}}</c>, <c>"payload": null</c> when nothing was stored. A payload read needs the full admin key and is
/// audited (<c>payload.view</c>) before it is made: when the entry cannot be written, nothing is read. And
/// <c>DELETE /api/logs?org=&amp;customer=</c>: erases a tenant's stored payloads (audited, <c>payload.erase</c>) → <c>{"erased": n}</c>.
/// </summary>
internal static class LogsAdminEndpointRouteBuilderExtensions
{
    /// <summary>Maps the log viewer behind the full admin key.</summary>
    public static IEndpointRouteBuilder MapLogsAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/logs/{request_id}", ReadAsync).AdminChange();
        endpoints.MapGet("/api/logs", SearchAsync).AdminChange();
        endpoints.MapDelete("/api/logs", EraseAsync).AdminChange();
        return endpoints;
    }

    private static async Task ReadAsync(HttpContext http, IPayloadStore store, IAuditLog audit, string request_id)
    {
        if (!Guid.TryParse(request_id, out var requestId))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter",
                "The id must be a call's x-aigw-request-id (a UUID).", "request_id");
            return;
        }

        // What was asked for, never what was read: the audit log holds no payload.
        await audit.RecordAsync(http.AdminActor(), AuditActions.PayloadView, AuditActions.CallTarget(requestId), null,
            "{\"request_id\":\"" + requestId.ToString("D") + "\"}", http.RequestAborted);
        var call = await store.ReadAsync(requestId, http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        if (call is null)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status404NotFound, "invalid_request_error", "not_found",
                "No logged call has that id (it is not written yet, past retention, or never was).");
            return;
        }

        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WritePropertyName("row"u8);
            WriteRow(writer, call.Row);
            writer.WritePropertyName("payload"u8);
            WritePayload(writer, call.Payload);
        });
    }

    // A search: the calls' main columns, newest first. With q it reads the stored payloads, so it is audited as a view.
    private static async Task SearchAsync(HttpContext http, IPayloadStore store, IAuditLog audit)
    {
        if (!await AdminJson.OnlyKnownParametersAsync(http, "org", "customer", "route", "model", "status", "from", "to", "q", "limit"))
        {
            return;
        }

        var query = http.Request.Query;
        if (!AiMetricsQueryParser.TryTime(query, "from", out var from, out var error) || !AiMetricsQueryParser.TryTime(query, "to", out var to, out error))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", error.Message, error.Param);
            return;
        }

        int? status = null;
        if (AdminQuery.Text(query, "status") is { } statusText)
        {
            if (!int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 599)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter",
                    $"'status' must be an HTTP status (100-599); got '{statusText}'.", "status");
                return;
            }

            status = code;
        }

        if (!AdminQuery.TryLimit(query, LogSearch.DefaultLimit, LogSearch.MaxLimit, out var limit, out var limitError))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", limitError, "limit");
            return;
        }

        var search = new LogSearch(AdminQuery.Text(query, "org"), AdminQuery.Text(query, "customer"), AdminQuery.Text(query, "route"), AdminQuery.Text(query, "model"), status, from, to, AdminQuery.Text(query, "q"), limit);
        if (search.Text is not null)
        {
            var filters = JsonSerializer.Serialize(new Dictionary<string, string?> { ["org"] = search.OrgId, ["customer"] = search.CustomerId, ["q"] = search.Text });
            await audit.RecordAsync(http.AdminActor(), AuditActions.PayloadView,
                search.OrgId is null ? "logs" : AuditActions.OrgTarget(search.OrgId), null, filters, http.RequestAborted);
        }

        var calls = await store.SearchAsync(search, http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteStartArray("calls"u8);
            foreach (var call in calls)
            {
                WriteRow(writer, call);
            }

            writer.WriteEndArray();
        });
    }


    // Erasure (a customer who leaves or asks to be forgotten): cannot be undone, so recorded before it is made.
    private static async Task EraseAsync(HttpContext http, IPayloadStore store, IAuditLog audit)
    {
        if (!await AdminJson.OnlyKnownParametersAsync(http, "org", "customer"))
        {
            return;
        }

        var query = http.Request.Query;
        var org = query["org"].ToString();
        var customer = query.TryGetValue("customer", out var named) ? named.ToString() : null;
        if (org.Length == 0)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "missing_filter",
                "Name whose payloads to erase: org, and optionally customer.", "org");
            return;
        }

        if (customer is not null && !CustomerId.IsValid(customer))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_customer",
                "customer must match [A-Za-z0-9._:-]{1,64}.", "customer");
            return;
        }

        var filters = JsonSerializer.Serialize(new Dictionary<string, string?> { ["org"] = org, ["customer"] = customer });
        await audit.RecordAsync(http.AdminActor(), AuditActions.PayloadErase,
            customer is null ? AuditActions.OrgTarget(org) : AuditActions.CustomerTarget(org, customer), null, filters, http.RequestAborted);
        var erased = await store.EraseAsync(org, customer, http.RequestAborted);
        await AdminJson.WriteObjectAsync(http, writer => writer.WriteNumber("erased"u8, erased));
    }

    private static void WriteRow(Utf8JsonWriter writer, IReadOnlyList<KeyValuePair<string, object?>>? row)
    {
        if (row is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        foreach (var (name, value) in row)
        {
            switch (value)
            {
                case null:
                    writer.WriteNull(name);
                    break;
                case bool flag:
                    writer.WriteBoolean(name, flag);
                    break;
                case long whole:
                    writer.WriteNumber(name, whole);
                    break;
                case int whole:
                    writer.WriteNumber(name, whole);
                    break;
                case short whole:
                    writer.WriteNumber(name, whole);
                    break;
                case decimal amount:
                    // Without numeric(20,10)'s trailing zeros.
                    writer.WriteNumber(name, amount / 1.000000000000000000000000000000000m);
                    break;
                case double real:
                    writer.WriteNumber(name, real);
                    break;
                case DateTimeOffset time:
                    writer.WriteString(name, time.ToUniversalTime());
                    break;
                case Guid id:
                    writer.WriteString(name, id);
                    break;
                case string[] list:
                    writer.WriteStartArray(name);
                    foreach (var item in list)
                    {
                        writer.WriteStringValue(item);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteString(name, Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static void WritePayload(Utf8JsonWriter writer, PayloadRecord? payload)
    {
        if (payload is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        writer.WriteString("level"u8, payload.Level);
        writer.WriteString("request"u8, payload.RequestBody);
        writer.WriteString("response"u8, payload.ResponseBody);
        writer.WritePropertyName("redactions"u8);
        if (payload.Redactions is { } redactions)
        {
            writer.WriteRawValue(redactions);
        }
        else
        {
            writer.WriteStartObject();
            writer.WriteEndObject();
        }

        writer.WriteBoolean("truncated"u8, payload.Truncated);
        writer.WriteString("ts"u8, payload.Ts.ToUniversalTime());
        writer.WriteString("org_id"u8, payload.OrgId);
        writer.WriteString("customer_id"u8, payload.CustomerId);
        writer.WriteEndObject();
    }
}
