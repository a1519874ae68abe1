using System.Diagnostics;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>One request being answered: its context, settings, body and the time it arrived.</summary>
internal sealed class MockCall(HttpContext http, RequestSettings settings, byte[] body, long startTimestamp)
{
    public HttpContext Http { get; } = http;
    public RequestSettings Settings { get; } = settings;
    public byte[] Body { get; } = body;
    public long StartTimestamp { get; } = startTimestamp;
    public CancellationToken Aborted => Http.RequestAborted;

    public long ElapsedMs => (long)Stopwatch.GetElapsedTime(StartTimestamp).TotalMilliseconds;

    /// <summary>Parses the body as a JSON object; on failure answers 400 and returns null.</summary>
    public async Task<JsonDocument?> ParseJsonObjectAsync()
    {
        try
        {
            var doc = JsonDocument.Parse(Body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
                return doc;
            doc.Dispose();
        }
        catch (JsonException)
        {
        }

        await MockHttp.WriteErrorAsync(this, StatusCodes.Status400BadRequest,
            "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            "invalid_request_error");
        return null;
    }
}
