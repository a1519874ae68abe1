namespace AiGateway.Transforms.Relay;

/// <summary>Which client of an answer <see cref="LiveResponseWriter"/> writes to: who starts its response, and whether it paid.</summary>
internal enum LiveClient
{
    /// <summary>The leader's own client of a non-stream answer: YARP set its status and headers; it paid for the answer.</summary>
    YarpLeader,

    /// <summary>The leader's own client of a stream: the writer starts its response (with YARP's headers, or early with a keepalive); it paid.</summary>
    Leader,

    /// <summary>A follower or a resumer: the writer starts its response with the answer's relayed headers; it paid nothing.</summary>
    Joiner,
}
