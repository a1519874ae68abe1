using System.Net;
using System.Text;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>The upstream time limits of CONTRACT §9: first byte, total for non-streamed calls, and streams never cut.</summary>
public sealed class UpstreamTimeoutTests
{
    // A bound on waiting for the gateway, far beyond the limits configured below: a failure, not a timing assertion.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task StreamedPost_UpstreamStallsBeforeHeaders_504UpstreamTimeout()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(StallAsync);
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Upstream:FirstByteTimeoutSeconds"] = "1" });
        using var patience = new CancellationTokenSource(Patience);

        using var response = await gateway.Client.PostAsync("v1/chat/completions", Json("{\"model\":\"m\",\"stream\":true}"), patience.Token);

        await OpenAiErrorAssert.IsErrorAsync(response, StatusCodes.Status504GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task PassthroughGet_UpstreamStallsBeforeHeaders_504UpstreamTimeout()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(StallAsync);
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Upstream:FirstByteTimeoutSeconds"] = "1" });
        using var patience = new CancellationTokenSource(Patience);

        using var response = await gateway.Client.GetAsync("v1/models", patience.Token);

        await OpenAiErrorAssert.IsErrorAsync(response, StatusCodes.Status504GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task Post_UpstreamSendsHeadersThenStallsPastTotalTimeout_504UpstreamTimeout()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"id\":\"chatcmpl-1\",");
            await context.Response.Body.FlushAsync();
            await StallAsync(context);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Upstream:TotalTimeoutSeconds"] = "1",
            ["Gateway:Upstream:FirstByteTimeoutSeconds"] = "600",
        });
        using var patience = new CancellationTokenSource(Patience);

        using var response = await gateway.Client.PostAsync("v1/chat/completions", Json("{\"model\":\"m\"}"), patience.Token);

        await OpenAiErrorAssert.IsErrorAsync(response, StatusCodes.Status504GatewayTimeout, "upstream_timeout");
    }

    [Fact]
    public async Task Post_5xxThenStallPastTotalTimeout_504AndNotRetriedPastTheBudget()
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                context.Response.StatusCode = 500;
                return;
            }

            await StallAsync(context);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Upstream:TotalTimeoutSeconds"] = "2",
            ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "10",
        });
        using var patience = new CancellationTokenSource(Patience);

        using var response = await gateway.Client.PostAsync("v1/chat/completions", Json("{\"model\":\"m\"}"), patience.Token);

        await OpenAiErrorAssert.IsErrorAsync(response, StatusCodes.Status504GatewayTimeout, "upstream_timeout");
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task StreamedPost_LastingLongerThanTotalTimeout_NotCut()
    {
        const int events = 8;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < events; i++)
            {
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{i}\"}}}}]}}\n\n");
                await Task.Delay(400, context.RequestAborted);
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["Gateway:Upstream:TotalTimeoutSeconds"] = "1",
            ["Gateway:Upstream:FirstByteTimeoutSeconds"] = "1",
        });
        using var patience = new CancellationTokenSource(Patience);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = Json("{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true}}"),
        };

        using var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
        var received = await new SseReader(await response.Content.ReadAsStreamAsync(patience.Token)).ReadAllAsync(patience.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(events + 1, received.Count);
        Assert.Equal("data: [DONE]", received[^1]);
    }

    private static async Task StallAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
