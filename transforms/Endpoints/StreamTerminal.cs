namespace AiGateway.Transforms.Endpoints;

/// <summary>The SSE event that marks a stream as complete (CONTRACT §2).</summary>
public enum StreamTerminal
{
    /// <summary>The endpoint never streams.</summary>
    None,

    /// <summary><c>data: [DONE]</c>.</summary>
    Done,

    /// <summary><c>event: response.completed</c>.</summary>
    ResponseCompleted,
}
