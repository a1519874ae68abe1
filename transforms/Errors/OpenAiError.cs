using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Errors;

/// <summary>Writes errors the gateway makes in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public static class OpenAiError
{
    /// <summary>Writes an error response, unless the response has already started.</summary>
    public static Task WriteAsync(HttpContext context, int status, string type, string? code, string message, string? param = null)
    {
        if (context.Response.HasStarted)
        {
            return Task.CompletedTask;
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        var body = Serialize(type, code, message, param);
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body).AsTask();
    }

    /// <summary>The error object as UTF-8 JSON, e.g. for an SSE error event.</summary>
    public static byte[] Serialize(string type, string? code, string message, string? param = null)
    {
        var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("message", message);
            writer.WriteString("type", type);
            writer.WriteString("param", param);
            writer.WriteString("code", code);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
