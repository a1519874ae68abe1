using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.CostLog;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Dedupe;

/// <summary>
/// The stream client's non-streamed fallback (<c>"stream": false</c>, <c>Last-Event-ID</c>, <c>x-aigw-fallback: non-stream</c>;
/// CONTRACT §10.6): answered from the generation its stream began, as the endpoint's one JSON answer, while that
/// generation runs or is kept; a fresh call when it failed or is not the caller's.
/// </summary>
public sealed class SameGenerationFallbackTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Fallback_StreamDroppedWhileItsGenerationRuns_AnsweredFromItAsOneCompletionWithOneUpstreamCall()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 6, ChunkDelayMs = 200 });
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        });
        using var client = Dropping(gateway);
        var prompt = $"fallback running {Guid.NewGuid()}";

        var lastEventId = await ReadFirstEventAndDropAsync(client, Chat(prompt, stream: true));
        using var fallback = await client.SendAsync(Fallback(Chat(prompt, stream: false), lastEventId));
        var text = await fallback.Content.ReadAsStringAsync();

        Assert.True(fallback.IsSuccessStatusCode, text);
        Assert.Equal("resumer", fallback.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal("0", fallback.Headers.GetValues("x-aigw-cost-usd").Single());
        Assert.Equal("application/json", fallback.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(text);
        Assert.Equal("chat.completion", json.RootElement.GetProperty("object").GetString());
        var choice = json.RootElement.GetProperty("choices")[0];
        Assert.Equal("Echo: " + prompt, choice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Equal("stop", choice.GetProperty("finish_reason").GetString());
        Assert.True(json.RootElement.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Equal(1, upstream.RequestCount);
        var id = Guid.Parse(fallback.Headers.GetValues("x-aigw-request-id").Single());
        Transforms.CostLog.PerfLogRecord? row = null;
        await Eventually.UntilAsync(async () => (row = (await PerfLogRows.ReadAllAsync(database.ConnectionString)).FirstOrDefault(r => r.Id == id)) is not null, "the fallback's row");
        Assert.Equal(("resumer", true, false), (row!.DedupeRole, row.ClientFallback, row.Stream));
        Assert.Null(row.CostUsd);
    }

    [Fact]
    public async Task Fallback_ResponsesStreamComplete_AnsweredWithTheResponseObject()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 4 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var prompt = $"fallback responses {Guid.NewGuid()}";

        using var stream = await gateway.Client.SendAsync(Responses(prompt, stream: true), HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        await reader.ReadAllAsync();
        using var fallback = await gateway.Client.SendAsync(Fallback(Responses(prompt, stream: false), reader.Ids[^1]));
        var text = await fallback.Content.ReadAsStringAsync();

        Assert.Equal("resumer", fallback.Headers.GetValues("x-aigw-dedupe").Single());
        using var json = JsonDocument.Parse(text);
        Assert.Equal("response", json.RootElement.GetProperty("object").GetString());
        Assert.Equal("completed", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("Echo: " + prompt, text);
        Assert.Equal(1, upstream.RequestCount);
    }

    [Fact]
    public async Task Fallback_GenerationFailed_AFreshCall()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 6 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var prompt = $"fallback failed {Guid.NewGuid()}";

        var broken = Chat(prompt, stream: true);
        broken.Headers.Add("x-mock-drop-after-events", "3");
        using var stream = await gateway.Client.SendAsync(broken, HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        var events = await reader.ReadAllAsync();
        Assert.Contains("upstream_stream_error", events[^1]);
        using var fallback = await gateway.Client.SendAsync(Fallback(Chat(prompt, stream: false), reader.Ids[^1]));
        var text = await fallback.Content.ReadAsStringAsync();

        Assert.True(fallback.IsSuccessStatusCode, text);
        Assert.NotEqual("resumer", fallback.Headers.TryGetValues("x-aigw-dedupe", out var role) ? role.Single() : null);
        Assert.Contains("Echo: " + prompt, text);
        Assert.Equal(2, upstream.RequestCount);
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","model":"gpt-4o-mini","stream":false,"messages":[{"role":"user","content":"twice"}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","stream":false,"stream":false,"messages":[{"role":"user","content":"twice"}]}""")]
    public async Task Fallback_BodyWithADuplicateKey_AFreshCallNot500(string body)
    {
        // Found by the fuzzing pass: the stream key was built through JsonNode, which throws on a repeated name.
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 2 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var fallback = await gateway.Client.SendAsync(Fallback(Post("v1/chat/completions", body), "chatcmpl-unknown:3"));
        var text = await fallback.Content.ReadAsStringAsync();

        Assert.True(fallback.IsSuccessStatusCode, $"{(int)fallback.StatusCode} {text}");
        Assert.Contains("Echo: twice", text);
        Assert.Equal(1, upstream.RequestCount);
    }

    [Fact]
    public async Task Fallback_AnotherOrgsEventId_AFreshCallNotTheirGeneration()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 4 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var prompt = $"fallback stranger {Guid.NewGuid()}";

        using var stream = await gateway.Client.SendAsync(Chat(prompt, stream: true), HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        await reader.ReadAllAsync();
        var stranger = Fallback(Chat(prompt, stream: false), reader.Ids[1]);
        stranger.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-someone-else");
        using var fallback = await gateway.Client.SendAsync(stranger);
        await fallback.Content.ReadAsStringAsync();

        Assert.True(fallback.IsSuccessStatusCode);
        Assert.False(fallback.Headers.TryGetValues("x-aigw-dedupe", out var role) && role.Single() == "resumer");
        Assert.Equal(2, upstream.RequestCount);
    }

    // Reads the first event, then breaks the connection at once (no draining of the rest), as a cut network does.
    private static async Task<string> ReadFirstEventAndDropAsync(HttpClient client, HttpRequestMessage request)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        await reader.ReadEventAsync().WaitAsync(Patience);
        return reader.Ids[0];
    }

    private static HttpClient Dropping(TestGateway gateway) =>
        new(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = gateway.BaseAddress, Timeout = Patience };

    private static HttpRequestMessage Fallback(HttpRequestMessage request, string lastEventId)
    {
        request.Headers.Add("Last-Event-ID", lastEventId);
        request.Headers.Add("x-aigw-fallback", "non-stream");
        return request;
    }

    private static HttpRequestMessage Chat(string prompt, bool stream) =>
        Post("v1/chat/completions", $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"{prompt}\"}}]}}");

    private static HttpRequestMessage Responses(string prompt, bool stream) =>
        Post("v1/responses", $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"input\":\"{prompt}\"}}");

    private static HttpRequestMessage Post(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-fallback");
        return request;
    }
}
