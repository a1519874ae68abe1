using AiGateway.Metrics;
using AiGateway.Transforms.Audit;
using AiGateway.Transforms.Errors;

namespace AiGateway.Admin;

/// <summary>Maps <c>GET /api/audit?from=&amp;to=&amp;target=&amp;action=&amp;limit=</c> (CONTRACT §10.5): <c>{"entries": […]}</c>, newest first.</summary>
public static class AuditAdminEndpointRouteBuilderExtensions
{
    /// <summary>Maps the audit log's read behind the admin keys (the read-only key reads it too).</summary>
    public static IEndpointRouteBuilder MapAuditAdminApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/audit", ReadAsync).AdminRead();
        return endpoints;
    }

    private static async Task ReadAsync(HttpContext http, IAuditLog audit)
    {
        var query = http.Request.Query;
        if (!await AdminJson.OnlyKnownParametersAsync(http, "from", "to", "target", "action", "limit"))
        {
            return;
        }

        if (!AiMetricsQueryParser.TryTime(query, "from", out var from, out var error) || !AiMetricsQueryParser.TryTime(query, "to", out var to, out error))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", error.Message, error.Param);
            return;
        }

        if (from is { } start && to is { } end && start >= end)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", "'from' must be before 'to'.", "from");
            return;
        }

        if (!AdminQuery.TryLimit(query, AuditQuery.DefaultLimit, AuditQuery.MaxLimit, out var limit, out var limitError))
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter", limitError, "limit");
            return;
        }

        var entries = await audit.ReadAsync(new AuditQuery(from, to, AdminQuery.Text(query, "target"), AdminQuery.Text(query, "action"), limit), http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        await AdminJson.WriteObjectAsync(http, writer =>
        {
            writer.WriteStartArray("entries"u8);
            foreach (var entry in entries)
            {
                writer.WriteStartObject();
                writer.WriteNumber("id"u8, entry.Id);
                writer.WriteString("ts"u8, entry.Ts.ToUniversalTime());
                writer.WriteString("actor"u8, entry.Actor);
                writer.WriteString("action"u8, entry.Action);
                writer.WriteString("target"u8, entry.Target);
                WriteJson(writer, "before"u8, entry.Before);
                WriteJson(writer, "after"u8, entry.After);
                writer.WriteString("source_ip"u8, entry.SourceIp);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });
    }

    private static void WriteJson(System.Text.Json.Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? json)
    {
        writer.WritePropertyName(name);
        if (json is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(json);
        }
    }
}
