using Microsoft.AspNetCore.Http;
namespace AiGateway.Transforms.Endpoints;

/// <summary>An endpoint the gateway understands: hashed, cached, deduped, mode-rewritten and metered.</summary>
public sealed class AiEndpoint
{
    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    public static readonly AiEndpoint ChatCompletions = new("/v1/chat/completions", "chat", StreamTerminal.Done, asksForStreamUsage: true);

    /// <summary><c>POST /v1/completions</c>.</summary>
    public static readonly AiEndpoint Completions = new("/v1/completions", "text_completion", StreamTerminal.Done, asksForStreamUsage: true);

    /// <summary><c>POST /v1/responses</c>.</summary>
    public static readonly AiEndpoint Responses = new("/v1/responses", "responses", StreamTerminal.ResponseCompleted, asksForStreamUsage: false);

    /// <summary><c>POST /v1/embeddings</c>.</summary>
    public static readonly AiEndpoint Embeddings = new("/v1/embeddings", "embeddings", StreamTerminal.None, asksForStreamUsage: false);

    private AiEndpoint(string path, string operationName, StreamTerminal terminal, bool asksForStreamUsage)
    {
        Path = path;
        OperationName = operationName;
        Terminal = terminal;
        AsksForStreamUsage = asksForStreamUsage;
    }

    /// <summary>The request path, e.g. <c>/v1/chat/completions</c>.</summary>
    public string Path { get; }

    /// <summary>The OpenTelemetry GenAI operation name.</summary>
    public string OperationName { get; }

    /// <summary>Which SSE event ends a complete stream of this endpoint.</summary>
    public StreamTerminal Terminal { get; }

    /// <summary>Whether the gateway adds <c>stream_options.include_usage</c> to streamed requests.</summary>
    public bool AsksForStreamUsage { get; }

    /// <summary>Finds the understood endpoint for a request, or null for passthrough.</summary>
    public static AiEndpoint? Match(string method, string? path)
    {
        if (!HttpMethods.IsPost(method) || path is null)
        {
            return null;
        }

        return path switch
        {
            "/v1/chat/completions" => ChatCompletions,
            "/v1/responses" => Responses,
            "/v1/embeddings" => Embeddings,
            "/v1/completions" => Completions,
            _ => null,
        };
    }

    /// <inheritdoc/>
    public override string ToString() => Path;
}
