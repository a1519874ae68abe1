using AiGateway.Transforms.Errors;

namespace AiGateway.Transforms.Endpoints;

/// <summary>The OpenAI-shaped SSE error events that end a stream which failed after it started.</summary>
public static class SseFailureEvent
{
    /// <summary>The code of a stream the upstream broke off.</summary>
    public const string UpstreamStreamError = "upstream_stream_error";

    /// <summary><c>data: {"error":…}</c>, as chat-style SDKs look for it.</summary>
    public static byte[] Data(string message, string code) => Event("data: "u8, message, code);

    /// <summary><c>event: error</c> with the error as data, as the Responses API names its events.</summary>
    public static byte[] Named(string message, string code) => Event("event: error\ndata: "u8, message, code);

    private static byte[] Event(ReadOnlySpan<byte> prefix, string message, string code)
    {
        var error = OpenAiError.Serialize("server_error", code, message);
        var result = new byte[prefix.Length + error.Length + 2];
        prefix.CopyTo(result);
        error.CopyTo(result.AsSpan(prefix.Length));
        "\n\n"u8.CopyTo(result.AsSpan(prefix.Length + error.Length));
        return result;
    }
}
