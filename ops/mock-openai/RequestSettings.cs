
namespace MockOpenAi;

/// <summary>The options in force for one request: the x-mock-* headers win over <see cref="MockOpenAiOptions"/>.</summary>
internal readonly record struct RequestSettings(
    int LatencyMs,
    int ChunkDelayMs,
    int Chunks,
    int? ErrorStatus,
    int? DropAfterEvents)
{
    public static RequestSettings Resolve(MockOpenAiOptions options, IHeaderDictionary headers) => new(
        LatencyMs: Math.Max(0, Header(headers, "x-mock-latency-ms") ?? options.LatencyMs),
        ChunkDelayMs: Math.Max(0, Header(headers, "x-mock-chunk-delay-ms") ?? options.ChunkDelayMs),
        Chunks: Math.Max(1, Header(headers, "x-mock-chunks") ?? options.Chunks),
        ErrorStatus: Header(headers, "x-mock-status") ?? options.ErrorStatus,
        DropAfterEvents: Header(headers, "x-mock-drop-after-events") ?? options.DropAfterEvents);

    private static int? Header(IHeaderDictionary headers, string name) =>
        headers.TryGetValue(name, out var value) && int.TryParse(value.ToString(), out var parsed) ? parsed : null;
}
