using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Errors;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// Proxy-pipeline step that turns a request to an understood endpoint into an <see cref="AiExchange"/>:
/// the body is refused with 415 when it comes with a Content-Encoding, read once (413 past <c>Gateway:MaxRequestBytes</c>),
/// parsed (400 if it is not a JSON object, never forwarded; 400 <c>invalid_json</c> for ill-formed Unicode, 400
/// <c>invalid_model</c> for a <c>model</c> outside <see cref="ModelName"/>) and handed upstream again from memory. A call to a metered endpoint becomes a
/// <see cref="MeteredExchange"/> (a JSON body is read and checked the same way, for its model; an upload is not read).
/// Other requests pass through untouched and streamed.
/// </summary>
internal sealed class AiExchangeMiddleware(IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>The request header naming the app feature making the call.</summary>
    public const string RouteHeader = "x-aigw-route";

    /// <summary>Runs the step.</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var call = context.Features.Get<AiCall>();
        if (call is null)
        {
            await next(context);
            return;
        }

        if (call.Endpoint is MeteredEndpoint metered)
        {
            await InvokeMeteredAsync(context, next, call, metered);
            return;
        }

        var (body, document) = await ReadJsonAsync(context);
        if (document is null)
        {
            return;
        }

        if (!TryReadRoute(context, out var route))
        {
            document.Dispose();
            await RefuseRouteAsync(context);
            return;
        }

        var identity = context.Features.Get<OrgIdentity>() ?? OrgIdentity.Anonymous;
        using var exchange = new AiExchange(context, call, (AiEndpoint)call.Endpoint, identity, route, body!, document);
        context.Request.Body = new MemoryStream(body!, writable: false);
        context.Features.Set(exchange);
        context.Features.Set<ICallExchange>(exchange);
        await next(context);
    }

    // A metered call's body goes upstream as it is. A JSON one is small (a prompt, a text to speak, a batch's file id) and
    // checked as an AI call's is, for its model; an upload (multipart: an image, an audio file, up to OpenAI's 25 MB and
    // more) streams upstream as it arrives, and its model is not worth holding it for.
    private async Task InvokeMeteredAsync(HttpContext context, RequestDelegate next, AiCall call, MeteredEndpoint endpoint)
    {
        string? model = null;
        if (context.Request.HasJsonContentType())
        {
            var (body, document) = await ReadJsonAsync(context);
            if (document is null)
            {
                return;
            }

            using (document)
            {
                model = document.RootElement.TryGetProperty("model"u8, out var named) && named.ValueKind == JsonValueKind.String ? named.GetString() : null;
            }

            context.Request.Body = new MemoryStream(body!, writable: false);
        }

        if (!TryReadRoute(context, out var route))
        {
            await RefuseRouteAsync(context);
            return;
        }

        var identity = context.Features.Get<OrgIdentity>() ?? OrgIdentity.Anonymous;
        var metered = new MeteredExchange(call, endpoint, identity, route, model);
        context.Features.Set(metered);
        context.Features.Set<ICallExchange>(metered);
        await next(context);
    }

    // The body read once and parsed, or (null, null) once the client has had its refusal. A ValueTask: a small body
    // usually arrives with the headers, and then nothing here allocates a Task.
    private async ValueTask<(byte[]? Body, JsonDocument? Document)> ReadJsonAsync(HttpContext context)
    {
        // The body is read, priced, cached and checked as plain JSON; forwarded with the client's Content-Encoding it would
        // tell the upstream to decode something else (or fail to). No SDK compresses requests, so any coding is refused.
        if (context.Request.Headers.ContentEncoding is { Count: > 0 } coding && !IsIdentity(coding))
        {
            await RequestDrain.BeforeRefusalAsync(context);
            await OpenAiError.WriteAsync(context, StatusCodes.Status415UnsupportedMediaType, "invalid_request_error", "unsupported_content_encoding",
                "This endpoint's body is read as JSON: send it uncompressed, without Content-Encoding (or with Content-Encoding: identity).", "Content-Encoding");
            return default;
        }

        var limit = options.CurrentValue.MaxRequestBytes;
        var body = await RequestBodyReader.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await RequestDrain.BeforeRefusalAsync(context);
            await OpenAiError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                $"The request body is larger than this gateway's limit of {limit} bytes (Gateway:MaxRequestBytes).");
            return default;
        }

        // Invalid UTF-8, or an escaped lone surrogate, passes the parser but fails whoever reads the string later (a 500),
        // or reaches the upstream and the cache as it is.
        if (!JsonUnicode.IsWellFormed(body))
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                "The request body is not well-formed Unicode: it holds invalid UTF-8 or a lone UTF-16 surrogate escape (\\uD800-\\uDFFF unpaired).");
            return default;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                $"We could not parse the JSON body of your request: {ex.Message}");
            return default;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                "The request body must be a JSON object.");
            return default;
        }

        if (document.RootElement.TryGetProperty("model"u8, out var model) && !ModelName.IsValid(model))
        {
            document.Dispose();
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_model",
                $"model must be a string of 1 to {ModelName.MaxLength} characters from A-Z, a-z, 0-9 and . _ : / @ + -.", "model");
            return default;
        }

        return (body, document);
    }

    // The route names a log column, a cache scope and limit counters: a client's text of any size or shape would reach all
    // three, so it takes the shape a model name takes.
    private static bool TryReadRoute(HttpContext context, out string? route)
    {
        var value = context.Request.Headers[RouteHeader].ToString();
        route = value.Length == 0 ? null : value;
        return value.Length == 0 || ModelName.IsValid(value);
    }

    private static Task RefuseRouteAsync(HttpContext context) =>
        OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_header",
            $"{RouteHeader} must be 1 to {ModelName.MaxLength} characters from A-Z, a-z, 0-9 and . _ : / @ + -.", RouteHeader);

    private static bool IsIdentity(Microsoft.Extensions.Primitives.StringValues coding)
    {
        foreach (var value in coding)
        {
            foreach (var part in (value ?? "").Split(','))
            {
                var token = part.Trim();
                if (token.Length > 0 && !token.Equals("identity", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        return true;
    }
}
