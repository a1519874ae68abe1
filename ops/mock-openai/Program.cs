namespace MockOpenAi;

internal static class Program
{
    private const string DefaultUrl = "http://127.0.0.1:9000";

    private static readonly Dictionary<string, string> Switches = new()
    {
        ["--latency-ms"] = nameof(MockOpenAiOptions.LatencyMs),
        ["--chunk-delay-ms"] = nameof(MockOpenAiOptions.ChunkDelayMs),
        ["--chunks"] = nameof(MockOpenAiOptions.Chunks),
        ["--error-status"] = nameof(MockOpenAiOptions.ErrorStatus),
        ["--drop-after-events"] = nameof(MockOpenAiOptions.DropAfterEvents),
        ["--record-requests"] = nameof(MockOpenAiOptions.RecordRequests),
        ["--http2-only"] = nameof(MockOpenAiOptions.Http2Only),
    };

    public static async Task Main(string[] args)
    {
        var config = new ConfigurationBuilder()
            .AddEnvironmentVariables("MOCK_")
            .AddCommandLine(args, Switches)
            .Build();
        var options = new MockOpenAiOptions
        {
            LatencyMs = config.GetValue(nameof(MockOpenAiOptions.LatencyMs), 0),
            ChunkDelayMs = config.GetValue(nameof(MockOpenAiOptions.ChunkDelayMs), 0),
            Chunks = config.GetValue(nameof(MockOpenAiOptions.Chunks), 5),
            ErrorStatus = config.GetValue<int?>(nameof(MockOpenAiOptions.ErrorStatus)),
            DropAfterEvents = config.GetValue<int?>(nameof(MockOpenAiOptions.DropAfterEvents)),
            RecordRequests = config.GetValue(nameof(MockOpenAiOptions.RecordRequests), false),
            Http2Only = config.GetValue(nameof(MockOpenAiOptions.Http2Only), false),
        };

        await using var app = MockOpenAiServer.Build(args, options);
        if (string.IsNullOrEmpty(app.Configuration["urls"]))
            app.Urls.Add(DefaultUrl);
        await app.StartAsync();
        Console.WriteLine($"mock-openai listening on {string.Join(", ", app.Urls)}");
        await app.WaitForShutdownAsync();
    }
}
