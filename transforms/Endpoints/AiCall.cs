using System.Diagnostics;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// A call to an understood or metered endpoint as first seen: which endpoint, the id of its log row (its <c>x-aigw-request-id</c>),
/// and when it arrived. Set on <see cref="Microsoft.AspNetCore.Http.HttpContext.Features"/> by <see cref="AiCallMiddleware"/>,
/// the first step, so that every later step (and every refusal) can name the call.
/// </summary>
public sealed class AiCall
{
    /// <summary>Stamps a call that arrived at <paramref name="receivedAt"/>.</summary>
    public AiCall(CallEndpoint endpoint, Guid requestId, DateTimeOffset receivedAt)
    {
        Endpoint = endpoint;
        RequestId = requestId;
        ReceivedAt = receivedAt;
        StartedAt = Stopwatch.GetTimestamp();
    }

    /// <summary>The endpoint called: an <see cref="AiEndpoint"/>, or a <see cref="MeteredEndpoint"/> forwarded as it is.</summary>
    public CallEndpoint Endpoint { get; }

    /// <summary>The id of the call's row in the performance log; the client gets it as <c>x-aigw-request-id</c>.</summary>
    public Guid RequestId { get; }

    /// <summary>When the call arrived: it picks the prices in force, the log partition, the rollup day and the budget month.</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>When the call arrived, as a <see cref="Stopwatch"/> timestamp, for durations.</summary>
    public long StartedAt { get; }

    /// <summary>When the client got its first event or body byte (a <see cref="Stopwatch"/> timestamp), or 0.</summary>
    public long FirstByteAt { get; private set; }

    /// <summary>Records that the client got its first byte now, unless it already had one.</summary>
    public void MarkFirstByte()
    {
        if (FirstByteAt == 0)
        {
            FirstByteAt = Stopwatch.GetTimestamp();
        }
    }
}
