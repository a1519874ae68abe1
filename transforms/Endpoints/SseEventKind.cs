namespace AiGateway.Transforms.Endpoints;

/// <summary>What an SSE event means for the stream it belongs to.</summary>
public enum SseEventKind
{
    /// <summary>A content or progress event.</summary>
    Content,

    /// <summary>The endpoint's terminal event: the stream is complete (CONTRACT §2).</summary>
    Terminal,

    /// <summary>The chat/completions usage chunk (<c>"choices":[]</c> with <c>usage</c>).</summary>
    UsageChunk,

    /// <summary>An event that ends the stream as failed (<c>response.failed</c>, an error event).</summary>
    Failure,
}
