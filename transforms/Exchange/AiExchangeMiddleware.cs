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
/// the body is read once (413 past <c>Gateway:MaxRequestBytes</c>), parsed (400 if it is not a JSON object,
/// never forwarded) and handed upstream again from memory. Other requests pass through untouched and streamed.
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

        var limit = options.CurrentValue.MaxRequestBytes;
        var body = await RequestBodyReader.ReadAsync(context.Request, limit, context.RequestAborted);
        if (body is null)
        {
            await RequestDrain.BeforeRefusalAsync(context);
            await OpenAiError.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                $"The request body is larger than this gateway's limit of {limit} bytes (Gateway:MaxRequestBytes).");
            return;
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
            return;
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            document.Dispose();
            await OpenAiError.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                "The request body must be a JSON object.");
            return;
        }

        var identity = context.Features.Get<OrgIdentity>() ?? OrgIdentity.Anonymous;
        var route = context.Request.Headers[RouteHeader].ToString();
        using var exchange = new AiExchange(context, call, identity, route.Length == 0 ? null : route, body, document);
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Features.Set(exchange);
        await next(context);
    }
}
