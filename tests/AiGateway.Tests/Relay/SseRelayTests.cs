using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Relay;

public sealed class SseRelayTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Stream_EventsReleasedOneAtATime_EachReachesClientBeforeTheNextIsSent()
    {
        const int events = 5;
        var delivered = Enumerable.Range(0, events).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < events; i++)
            {
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
                // The next event is sent only once the client has seen this one: a buffering relay deadlocks here.
                await delivered[i].Task.WaitAsync(Patience);
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        using var timeout = new CancellationTokenSource(Patience);

        using var response = await gateway.Client.SendAsync(ChatRequest(stream: true), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        for (var i = 0; i < events; i++)
        {
            Assert.Equal($"data: {{\"n\":{i}}}", await reader.ReadEventAsync(timeout.Token));
            delivered[i].SetResult();
        }

        Assert.Equal("data: [DONE]", await reader.ReadEventAsync(timeout.Token));
        Assert.Null(await reader.ReadEventAsync(timeout.Token));
    }

    [Fact]
    public async Task Stream_1000EventsSentAtOnce_EachFlushedAsItsOwnChunkWithDataLinesUnchanged()
    {
        var sent = Enumerable.Range(0, 1000)
            .Select(i => $"data: {{\"id\":\"chatcmpl-x\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"tok{i} é 🙂 \\\"q\\\"\"}}}}]}}\n\n")
            .Append("data: [DONE]\n\n")
            .ToList();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(string.Concat(sent));
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        var chunks = await ReadChunkedBodyAsync(gateway.BaseAddress, "/v1/chat/completions",
            "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");

        var received = chunks.Select(c => Encoding.UTF8.GetString(c)).ToList();
        var responseId = received[0][4..received[0].IndexOf(':', 4)];
        Assert.Equal(sent.Select((e, i) => $"id: {responseId}:{i}\n{e}").ToList(), received);
    }

    [Fact]
    public async Task Stream_ClientDidNotAskForUsage_UpstreamAskedAndUsageChunkDropped()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        const string body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"x_unknown\":[1.50,{\"a\":null}]}";

        using var response = await gateway.Client.SendAsync(ChatRequest(body), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        var upstreamBody = Encoding.UTF8.GetString(Assert.Single(upstream.Requests).Body);
        Assert.Equal("{\"stream_options\":{\"include_usage\":true}," + body[1..], upstreamBody);
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.DoesNotContain(events, e => e.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.All(events[..^1], e => Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(e["data: ".Length..]).RootElement.GetProperty("choices").ValueKind));
    }

    [Fact]
    public async Task Stream_ClientAskedForUsage_BodyUnchangedAndUsageChunkKept()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        const string body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

        using var response = await gateway.Client.SendAsync(ChatRequest(body), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(body, Encoding.UTF8.GetString(Assert.Single(upstream.Requests).Body));
        var usage = Assert.Single(events, e => e.Contains("\"choices\":[]", StringComparison.Ordinal));
        Assert.Contains("\"usage\":{", usage);
    }

    [Fact]
    public async Task Stream_UpstreamDropsMidStream_ClientGetsEventsSoFarThenErrorEventAndCleanEnd()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { DropAfterEvents = 3 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await gateway.Client.SendAsync(ChatRequest(stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(4, events.Count);
        Assert.All(events[..3], e => Assert.Contains("chat.completion.chunk", e));
        var error = JsonDocument.Parse(events[3]["data: ".Length..]).RootElement.GetProperty("error");
        Assert.Equal("upstream_stream_error", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Stream_ResponsesApi_RelayedToResponseCompletedWithoutDone()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        const string body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"input\":\"hi\"}";

        using var response = await gateway.Client.SendAsync(
            new HttpRequestMessage(HttpMethod.Post, "v1/responses") { Content = new StringContent(body, null, "application/json") },
            HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(body, Encoding.UTF8.GetString(Assert.Single(upstream.Requests).Body));
        Assert.StartsWith("event: response.completed", events[^1]);
        Assert.DoesNotContain(events, e => e.StartsWith("event: error", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_LastingLongerThanActivityTimeout_NotCutWhileEventsFlow()
    {
        // 16 gaps of at least 250 ms (a delay never ends early) make a stream of 4 s or more against a 3 s timeout, and a
        // starved machine has 12 times a gap of slack before one gap alone could reach the timeout.
        const int gaps = 16;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < gaps; i++)
            {
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
                await Task.Delay(250);
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress,
            editSettings: json => json["ReverseProxy"]!["Clusters"]!["openai"]!["HttpRequest"]!["ActivityTimeout"] = "00:00:03");

        using var response = await gateway.Client.SendAsync(ChatRequest(stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(gaps + 1, events.Count);
        Assert.Equal("data: [DONE]", events[^1]);
    }

    [Fact]
    public async Task Stream_UpstreamSpeaksOnlyHttp2_EveryEventRelayed()
    {
        // api.openai.com multiplexes streams over HTTP/2; this mock refuses HTTP/1.1, so the call works only over it.
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Http2Only = true, Chunks = 4 });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ReverseProxy:Clusters:openai:HttpRequest:Version"] = "2",
            ["ReverseProxy:Clusters:openai:HttpRequest:VersionPolicy"] = "RequestVersionExact",
        });

        using var response = await gateway.Client.SendAsync(ChatRequest(stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(7, events.Count);
        Assert.All(events[..^1], e => Assert.Contains("chat.completion.chunk", e));
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.Equal(1, upstream.RequestCount);
    }

    private static HttpRequestMessage ChatRequest(bool stream) =>
        ChatRequest($"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"hi\"}}]}}");

    private static HttpRequestMessage ChatRequest(string body) =>
        new(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };

    /// <summary>Sends a raw HTTP/1.1 request and returns each chunk of the chunked response body as sent by the server.</summary>
    private static async Task<List<byte[]>> ReadChunkedBodyAsync(Uri gateway, string path, string body)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.Host, gateway.Port);
        var stream = client.GetStream();
        var bodyBytes = Encoding.UTF8.GetBytes(body);
        var head = $"POST {path} HTTP/1.1\r\nHost: {gateway.Authority}\r\nContent-Type: application/json\r\nContent-Length: {bodyBytes.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(bodyBytes);

        var input = new BufferedStream(stream);
        string? line;
        var chunked = false;
        Assert.StartsWith("HTTP/1.1 200", await ReadLineAsync(input));
        while ((line = await ReadLineAsync(input)) is { Length: > 0 })
        {
            chunked |= line.Equals("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
        }

        Assert.True(chunked, "the relay must stream with chunked encoding");
        var chunks = new List<byte[]>();
        while (true)
        {
            var size = Convert.ToInt32((await ReadLineAsync(input))!.Split(';')[0], 16);
            if (size == 0)
            {
                return chunks;
            }

            var chunk = new byte[size];
            await input.ReadExactlyAsync(chunk);
            chunks.Add(chunk);
            Assert.Equal("", await ReadLineAsync(input));
        }
    }

    private static async Task<string?> ReadLineAsync(Stream stream)
    {
        var line = new List<byte>();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(line.ToArray()).TrimEnd('\r');
            }

            line.Add(one[0]);
        }

        return line.Count > 0 ? Encoding.ASCII.GetString(line.ToArray()) : null;
    }
}
