namespace MockOpenAi;

/// <summary>Behaviour of the mock. Read at the start of every request, so tests may change it at run time.</summary>
public sealed class MockOpenAiOptions
{
    /// <summary>Delay before the response headers are sent.</summary>
    public int LatencyMs { get; set; }

    /// <summary>Delay between two SSE events of a stream.</summary>
    public int ChunkDelayMs { get; set; }

    /// <summary>Number of content chunks in a stream (at least 1).</summary>
    public int Chunks { get; set; } = 5;

    /// <summary>When set (400 or more), every /v1 request is answered with this status and an OpenAI-shaped error.</summary>
    public int? ErrorStatus { get; set; }

    /// <summary>When set, a stream's connection is aborted right after this many events.</summary>
    public int? DropAfterEvents { get; set; }

    /// <summary>
    /// Serve HTTP/2 only, in clear text (prior knowledge): an upstream that multiplexes many streams over a few
    /// connections, as api.openai.com does over TLS. Read once, when the mock starts.
    /// </summary>
    public bool Http2Only { get; set; }

    /// <summary>Keep every request (method, path, headers, body) for <see cref="MockOpenAiServer.Requests"/>.</summary>
    public bool RecordRequests { get; set; }
}
