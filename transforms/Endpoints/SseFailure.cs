using AiGateway.Transforms.Errors;

namespace AiGateway.Transforms.Endpoints;

/// <summary>The OpenAI-shaped SSE error event that ends a stream which failed after it started.</summary>
internal static class SseFailure
{
    /// <summary>The error event for a stream of <paramref name="endpoint"/>.</summary>
    public static byte[] Event(AiEndpoint endpoint, string message, string code = "upstream_stream_error")
    {
        var error = OpenAiError.Serialize("server_error", code, message);
        // The Responses API names its events; chat/completions SDKs look for an "error" member in data.
        var prefix = endpoint.Terminal == StreamTerminal.ResponseCompleted ? "event: error\ndata: "u8 : "data: "u8;
        var result = new byte[prefix.Length + error.Length + 2];
        prefix.CopyTo(result);
        error.CopyTo(result.AsSpan(prefix.Length));
        "\n\n"u8.CopyTo(result.AsSpan(prefix.Length + error.Length));
        return result;
    }
}
