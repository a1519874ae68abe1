using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// An endpoint the gateway understands (hashed, cached, deduped, mode-rewritten, metered), and everything the rest of
/// the gateway needs to know about its answers: how a stream of it ends, where its usage comes from, how to ask the
/// upstream for that usage, how a broken stream of it is ended, and how an aborted one is estimated. One file per
/// endpoint; to understand a new one, add its file and a line to <see cref="All"/>.
/// </summary>
public abstract class AiEndpoint : CallEndpoint
{
    /// <summary><c>POST /v1/chat/completions</c>.</summary>
    public static readonly AiEndpoint ChatCompletions = new ChatCompletionsEndpoint();

    /// <summary><c>POST /v1/completions</c>.</summary>
    public static readonly AiEndpoint Completions = new CompletionsEndpoint();

    /// <summary><c>POST /v1/responses</c>.</summary>
    public static readonly AiEndpoint Responses = new ResponsesEndpoint();

    /// <summary><c>POST /v1/embeddings</c>.</summary>
    public static readonly AiEndpoint Embeddings = new EmbeddingsEndpoint();

    /// <summary>Every understood endpoint, the busiest first (they are matched in this order).</summary>
    public static readonly IReadOnlyList<AiEndpoint> All = [ChatCompletions, Responses, Embeddings, Completions];

    /// <summary>Names the endpoint.</summary>
    protected AiEndpoint(string path, string operationName)
        : base(path, operationName)
    {
    }

    /// <summary>Whether the body's <c>model</c> names a generative model that a mode or a fallback may replace.</summary>
    public virtual bool HasSwappableModel => true;

    /// <summary>Finds the understood endpoint for a request, or null for passthrough.</summary>
    public static AiEndpoint? Match(string method, string? path)
    {
        if (!HttpMethods.IsPost(method) || path is null)
        {
            return null;
        }

        foreach (var endpoint in All)
        {
            if (string.Equals(endpoint.Path, path, StringComparison.Ordinal))
            {
                return endpoint;
            }
        }

        return null;
    }

    /// <summary>What one complete SSE event of this endpoint's stream means for the stream.</summary>
    public abstract SseEventKind Classify(ReadOnlySpan<byte> sseEvent);

    /// <summary>What one complete SSE event held in segments means for the stream.</summary>
    public SseEventKind Classify(in ReadOnlySequence<byte> sseEvent) =>
        Classify(sseEvent.IsSingleSegment ? sseEvent.FirstSpan : sseEvent.ToArray());

    /// <summary>The upstream's token count in a non-streamed answer's body; false when it has none.</summary>
    public virtual bool TryReadUsage(ReadOnlySpan<byte> body, out TokenUsage usage) => UsageReader.TryReadBody(body, out usage);

    /// <summary>The token count one event of a stream carries; false for the (many) events without one.</summary>
    public virtual bool TryReadStreamUsage(ReadOnlySpan<byte> sseEvent, out TokenUsage usage) => UsageReader.TryReadStreamEvent(sseEvent, out usage);

    /// <summary>
    /// The body of a streamed request rewritten so that the upstream reports the stream's usage, or null when this
    /// endpoint reports it anyway (or the client already asked for it).
    /// </summary>
    public virtual byte[]? AskForStreamUsage(ReadOnlySpan<byte> body, JsonElement root) => null;

    /// <summary>The OpenAI-shaped SSE error event that ends a stream of this endpoint which failed after it started.</summary>
    public virtual byte[] FailureEvent(string message, string code = SseFailureEvent.UpstreamStreamError) =>
        SseFailureEvent.Data(message, code);

    /// <summary>
    /// The one JSON answer the request would have got without <c>stream</c>, assembled from a complete stream's
    /// <paramref name="events"/>: how the stream client's non-streamed fallback is answered from the same generation
    /// (CONTRACT §10.6). Null when this endpoint does not stream or the events hold no answer.
    /// </summary>
    public virtual byte[]? AssembleAnswer(IEnumerable<ReadOnlyMemory<byte>> events) => null;

    /// <summary>The estimated usage of a stream that ended without the upstream's count, from its request and its events.</summary>
    public virtual TokenUsage EstimateUsage(string? model, JsonElement request, IEnumerable<ReadOnlyMemory<byte>> events)
    {
        var completion = new StreamCompletionText();
        foreach (var sseEvent in events)
        {
            completion.Append(sseEvent.Span);
        }

        return TokenEstimator.Estimate(model, request, completion);
    }
}
