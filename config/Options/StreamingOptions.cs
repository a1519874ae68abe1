namespace AiGateway.Config;

/// <summary>The <c>Gateway:Streaming</c> section.</summary>
public sealed class StreamingOptions
{
    /// <summary>
    /// How long a stream's upstream may stay silent (before its first event or between events) before the gateway writes
    /// an SSE comment <c>: keepalive</c> to every client of it, so that load balancers and proxies that cut idle
    /// connections (often after 60–100 s) keep the stream. A stream whose upstream has not answered at all by then gets its
    /// 200 <c>text/event-stream</c> headers at that moment; a later failure reaches it as an error event (CONTRACT §10.6).
    /// </summary>
    /// <value>Seconds, 0 to 3600. Default 15; 0 turns keepalives off.</value>
    public int KeepAliveSeconds { get; set; } = 15;
}
