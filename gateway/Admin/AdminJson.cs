using System.Text.Json;
using AiGateway.Transforms.Errors;

namespace AiGateway.Admin;

/// <summary>Reads and writes the JSON bodies of the operator API.</summary>
internal static class AdminJson
{
    // A settings object or a key's policy is a few hundred bytes; anything far larger is not one.
    private const int MaxBodyBytes = 64 * 1024;

    /// <summary>The request body as JSON (an empty body as <c>{}</c>), or null after answering 413 or 400 <c>invalid_json</c> (ill-formed Unicode included).</summary>
    public static async Task<JsonDocument?> ReadAsync(HttpContext http)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status413PayloadTooLarge, "invalid_request_error", "request_too_large",
                    $"An operator API body is at most {MaxBodyBytes} bytes.");
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        if (buffer.Length == 0)
        {
            return JsonDocument.Parse("{}");
        }

        var bytes = buffer.ToArray();
        if (!JsonUnicode.IsWellFormed(bytes))
        {
            // JsonDocument takes it, then GetString throws on it: a 500 where the caller's body is at fault.
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                "The request body is not well-formed Unicode: it holds invalid UTF-8 or a lone UTF-16 surrogate escape.");
            return null;
        }

        try
        {
            return JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_json",
                $"We could not parse the JSON body of your request: {ex.Message}");
            return null;
        }
    }

    /// <summary>Answers a refused field: 400 with its code, <c>param</c> the field.</summary>
    public static Task RefuseAsync(HttpContext http, FieldError error) =>
        OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", error.Code, error.Message, error.Field);

    /// <summary>Writes a JSON body with <paramref name="status"/>.</summary>
    public static Task WriteAsync(HttpContext http, byte[] json, int status = StatusCodes.Status200OK)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        http.Response.ContentLength = json.Length;
        return http.Response.Body.WriteAsync(json, http.RequestAborted).AsTask();
    }

    /// <summary>Writes the JSON object <paramref name="write"/> fills.</summary>
    public static Task WriteObjectAsync(HttpContext http, Action<Utf8JsonWriter> write, int status = StatusCodes.Status200OK)
    {
        var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            write(writer);
            writer.WriteEndObject();
        }

        return WriteAsync(http, buffer.ToArray(), status);
    }

    /// <summary>Refuses a query parameter the endpoint does not take: 400 <c>invalid_parameter</c>.</summary>
    public static async Task<bool> OnlyKnownParametersAsync(HttpContext http, params string[] known)
    {
        foreach (var name in http.Request.Query.Keys)
        {
            if (!known.Contains(name, StringComparer.Ordinal))
            {
                await OpenAiError.WriteAsync(http, StatusCodes.Status400BadRequest, "invalid_request_error", "invalid_parameter",
                    $"Unknown query parameter '{name}'. Use {string.Join(", ", known)}.", name);
                return false;
            }
        }

        return true;
    }
}
