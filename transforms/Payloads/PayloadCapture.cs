using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Relay;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// What a call leaves for payload logging, taken on its thread without copying: the request body (an array the exchange
/// owns and nobody changes after the call) and the answer it produced (the live answer's log, append-only, read up to the
/// events there were). The writer turns it into a <see cref="PayloadRecord"/> off the request path.
/// </summary>
internal sealed record PayloadCapture
{
    /// <summary>The call's log row id.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The call's start.</summary>
    public required DateTimeOffset Ts { get; init; }

    /// <summary>The org.</summary>
    public required string OrgId { get; init; }

    /// <summary>The customer, or null.</summary>
    public string? CustomerId { get; init; }

    /// <summary><c>metadata</c>, <c>redacted</c> or <c>full</c>.</summary>
    public required string Level { get; init; }

    /// <summary>The endpoint (it assembles a stream into one answer).</summary>
    public required AiEndpoint Endpoint { get; init; }

    /// <summary>The request body as it went upstream.</summary>
    public required ReadOnlyMemory<byte> Request { get; init; }

    /// <summary>The answer this call produced, or null (a hit, a follower, a refusal).</summary>
    public LiveResponse? Answer { get; init; }

    /// <summary>The events of a stream answer there were when the call ended.</summary>
    public int EventCount { get; init; }
}
