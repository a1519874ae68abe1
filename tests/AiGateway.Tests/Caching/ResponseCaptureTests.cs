using System.Net;
using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Caching;

/// <summary><c>Gateway:Cache:MaxEntryBytes</c> on real traffic: an answer over it reaches the client whole and is not stored; one under it is.</summary>
public sealed class ResponseCaptureTests
{
    private const int MaxEntryBytes = 4096;

    public static TheoryData<string, bool> Cases => new()
    {
        // store, stream
        { "memory", false },
        { "memory", true },
        { "redis", false },
        { "redis", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_AnswerOverMaxEntryBytes_RelayedWholeButNotStored(string store, bool stream)
    {
        var calls = 0;
        var content = new string('x', 3 * MaxEntryBytes);
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            return WriteAnswerAsync(context, stream, content);
        });
        await using var gateway = await StartAsync(upstream, store);
        var body = Body(stream);

        var (first, firstBody) = await PostAsync(gateway, body);
        var (second, secondBody) = await PostAsync(gateway, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Contains(content, firstBody);
        Assert.True(firstBody.Length > MaxEntryBytes);
        Assert.Equal("miss", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Contains(content, secondBody);
        Assert.Equal(2, calls);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Post_AnswerUnderMaxEntryBytes_Stored(string store, bool stream)
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(context =>
        {
            Interlocked.Increment(ref calls);
            return WriteAnswerAsync(context, stream, "four");
        });
        await using var gateway = await StartAsync(upstream, store);
        var body = Body(stream);

        (await PostAsync(gateway, body)).Response.Dispose();
        var (second, secondBody) = await PostAsync(gateway, body);

        Assert.Equal("hit", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Contains("four", secondBody);
        Assert.Equal(1, calls);
    }

    private static async Task WriteAnswerAsync(HttpContext context, bool stream, string content)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        if (!stream)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($"{{\"id\":\"{id}\",\"object\":\"chat.completion\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":\"{content}\"}},\"finish_reason\":\"stop\"}}]}}");
            return;
        }

        context.Response.ContentType = "text/event-stream";
        await ScriptedUpstream.WriteEventAsync(context.Response,
            $"data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}}}}]}}\n\n");
        await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
    }

    private static Task<TestGateway> StartAsync(ScriptedUpstream upstream, string store)
    {
        var settings = new Dictionary<string, string> { ["Gateway:Cache:MaxEntryBytes"] = MaxEntryBytes.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (store == "redis")
        {
            settings["ConnectionStrings:Redis"] = TestServices.Redis;
        }

        return TestGateway.StartAsync(upstream.BaseAddress, settings);
    }

    private static string Body(bool stream)
        => "{\"model\":\"gpt-4o-mini\",\"stream\":" + (stream ? "true" : "false") + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}";

    private static async Task<(HttpResponseMessage Response, string Body)> PostAsync(TestGateway gateway, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-max-entry-test");
        var response = await gateway.Client.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }
}
