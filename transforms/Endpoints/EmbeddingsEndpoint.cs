namespace AiGateway.Transforms.Endpoints;

/// <summary><c>POST /v1/embeddings</c> (CONTRACT §2): never streamed; its model is an embedding model, which no mode or fallback replaces.</summary>
internal sealed class EmbeddingsEndpoint() : AiEndpoint("/v1/embeddings", "embeddings")
{
    /// <inheritdoc/>
    public override bool HasSwappableModel => false;

    /// <inheritdoc/>
    public override SseEventKind Classify(ReadOnlySpan<byte> sseEvent) => SseEventKind.Content;
}
