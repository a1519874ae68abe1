using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>Response plumbing shared by the endpoints: headers OpenAI sends, JSON bodies, error bodies, ids.</summary>
internal static class MockHttp
{
    public const string JsonContentType = "application/json";
    public const string SseContentType = "text/event-stream; charset=utf-8";

    // Relaxed escaping keeps non-ASCII text readable, as OpenAI's own responses are.
    public static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private const string IdAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    public static string NewId(string prefix, int length = 24) =>
        string.Create(prefix.Length + length, prefix, static (span, p) =>
        {
            p.AsSpan().CopyTo(span);
            Random.Shared.GetItems(IdAlphabet.AsSpan(), span[p.Length..]);
        });

    public static long UnixNow() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static void SetCommonHeaders(MockCall call, int status, string contentType)
    {
        var response = call.Http.Response;
        response.StatusCode = status;
        response.ContentType = contentType;
        var headers = response.Headers;
        headers["x-request-id"] = NewId("req_", 32);
        headers["openai-processing-ms"] = call.ElapsedMs.ToString(CultureInfo.InvariantCulture);
        headers["openai-version"] = "2020-10-01";
        headers["x-ratelimit-limit-requests"] = "10000";
        headers["x-ratelimit-remaining-requests"] = "9999";
        headers["x-ratelimit-limit-tokens"] = "30000000";
        headers["x-ratelimit-remaining-tokens"] = "29999000";
    }

    public static Task WriteJsonAsync(MockCall call, int status, ArrayBufferWriter<byte> body)
    {
        SetCommonHeaders(call, status, JsonContentType);
        call.Http.Response.ContentLength = body.WrittenCount;
        return call.Http.Response.Body.WriteAsync(body.WrittenMemory, call.Aborted).AsTask();
    }

    public static Task WriteErrorAsync(MockCall call, int status, string message, string type,
        string? param = null, string? code = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteStartObject("error"u8);
            w.WriteString("message"u8, message);
            w.WriteString("type"u8, type);
            w.WriteString("param"u8, param);
            w.WriteString("code"u8, code);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        if (status == StatusCodes.Status429TooManyRequests)
            call.Http.Response.Headers.RetryAfter = "1";
        return WriteJsonAsync(call, status, buffer);
    }
}
