using System.Collections.Concurrent;
using System.Net;
using System.Text;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>Upstream retries: which failures are retried, how often, and what the client finally gets.</summary>
public sealed class UpstreamResilienceHandlerTests
{
    private const string Chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private const string Answer = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"hello\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}";

    private static readonly Dictionary<string, string> FastRetries = new()
    {
        ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "20",
    };

    [Fact]
    public async Task Post_429WithRetryAfterThen200_ClientGets200AndUpstreamSawTwoIdenticalCalls()
    {
        var bodies = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            bodies.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync());
            if (bodies.Count == 1)
            {
                context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
                context.Response.Headers.RetryAfter = "1";
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "requests", param = (string?)null, code = "rate_limit_exceeded" } });
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Answer);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Answer, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, bodies.Count);
        Assert.All(bodies, body => Assert.Equal(Chat, body));
    }

    [Fact]
    public async Task Post_5xxThreeTimesWithMaxRetries2_ClientGetsLast5xxUnchanged()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var call = Interlocked.Increment(ref calls);
            context.Response.StatusCode = call switch { 1 => 500, 2 => 502, _ => 503 };
            context.Response.Headers["x-request-id"] = "req_" + call;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"message\":\"attempt " + call + "\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>(FastRetries) { ["Gateway:Upstream:MaxRetries"] = "2" });

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("{\"error\":{\"message\":\"attempt 3\",\"type\":\"server_error\",\"param\":null,\"code\":null}}", await response.Content.ReadAsStringAsync());
        Assert.Equal("req_3", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal(3, calls);
    }

    [Fact]
    public async Task Post_MaxRetries0_5xxNotRetried()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Upstream:MaxRetries"] = "0" });

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Post_429InsufficientQuota_NotRetriedAndBodyUnchanged()
    {
        const string quota = "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}";
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "1";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(quota);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FastRetries);

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(quota, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Post_RetryAfterBeyondMaxRetryDelay_NotWaitedForAndClientGets429()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            context.Response.Headers.RetryAfter = "3600";
            return Task.CompletedTask;
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FastRetries);

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("3600", response.Headers.GetValues("Retry-After").Single());
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Post_UpstreamDropsTheConnectionOnce_RetriedAndClientGets200()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Abort();
                return;
            }

            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(Answer);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FastRetries);

        using var response = await PostChatAsync(gateway);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Answer, await response.Content.ReadAsStringAsync());
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task StreamedPost_503ThenStream_ClientGetsTheWholeStream()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 503;
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"hi\"}}]}\n\n");
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FastRetries);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}", Encoding.UTF8, "application/json"),
        };

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task PassthroughPost_500_NotRetried()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            await context.Request.Body.CopyToAsync(Stream.Null);
            context.Response.StatusCode = 500;
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FastRetries);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes("{\"custom_id\":\"1\"}\n")), "file", "input.jsonl" },
        };

        using var response = await gateway.Client.PostAsync("v1/files", form);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(1, calls);
    }

    private static Task<HttpResponseMessage> PostChatAsync(TestGateway gateway) =>
        gateway.Client.PostAsync("v1/chat/completions", new StringContent(Chat, Encoding.UTF8, "application/json"));
}
