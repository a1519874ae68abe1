using System.Net;
using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static AiGateway.Tests.Infrastructure.LiveAnswers;

namespace AiGateway.Tests.Dedupe;

/// <summary>In-flight dedupe, live-stream join and resume on one gateway, with an upstream the test releases step by step.</summary>
public sealed class DedupeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Post_50ConcurrentIdentical_OneUpstreamCallAnd50IdenticalAnswers()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"id\":\"chatcmpl-" + Guid.NewGuid() + "\",\"choices\":[]}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = Body(stream: false);

        var requests = Enumerable.Range(0, 50).Select(_ => gateway.Client.SendAsync(Chat(body))).ToList();
        // The leader reads the answer once the upstream has sent it; until then only the 49 followers wait on it.
        await WaitUntilAsync(() => Subscribers(gateway) == 49);
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        Assert.Equal(1, calls);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(1, responses.Count(r => r.Headers.GetValues("x-aigw-dedupe").Single() == "leader"));
        Assert.Equal(49, responses.Count(r => r.Headers.GetValues("x-aigw-dedupe").Single() == "follower"));
    }

    [Fact]
    public async Task Stream_10ConcurrentIdentical_OneUpstreamCallEachGetsEveryEventIncrementally()
    {
        const int events = 4;
        var step = new SemaphoreSlim(0);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < events; i++)
            {
                await step.WaitAsync(Patience);
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = Body(stream: true);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => gateway.Client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead)));
        var readers = await Task.WhenAll(responses.Select(async r => new SseReader(await r.Content.ReadAsStreamAsync())));
        // The leader's own client and its nine followers all read the one answer.
        await WaitUntilAsync(() => Subscribers(gateway) == 9);
        for (var i = 0; i < events; i++)
        {
            // Event i is released only now, and every client must get it before event i + 1 exists.
            step.Release();
            foreach (var reader in readers)
            {
                Assert.Equal($"data: {{\"n\":{i}}}", await reader.ReadEventAsync().WaitAsync(Patience));
            }
        }

        foreach (var reader in readers)
        {
            Assert.Equal("data: [DONE]", await reader.ReadEventAsync().WaitAsync(Patience));
            Assert.Null(await reader.ReadEventAsync().WaitAsync(Patience));
        }

        Assert.Equal(1, calls);
        Assert.Single(readers.Select(r => string.Join(",", r.Ids)).Distinct());
    }

    [Fact]
    public async Task Stream_LeaderClientDisconnects_FollowerStillCompletes()
    {
        var step = new SemaphoreSlim(0);
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":0}\n\n");
            await step.WaitAsync(Patience);
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":1}\n\n");
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Resume:GraceSeconds"] = "0" });
        var body = Body(stream: true);

        using var leaderAbort = new CancellationTokenSource();
        var leader = await gateway.Client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead, leaderAbort.Token);
        var leaderReader = new SseReader(await leader.Content.ReadAsStreamAsync());
        Assert.Equal("data: {\"n\":0}", await leaderReader.ReadEventAsync().WaitAsync(Patience));
        var follower = await gateway.Client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead);
        var followerReader = new SseReader(await follower.Content.ReadAsStreamAsync());
        Assert.Equal("data: {\"n\":0}", await followerReader.ReadEventAsync().WaitAsync(Patience));

        leaderAbort.Cancel();
        leader.Dispose();
        await WaitUntilAsync(() => Subscribers(gateway) == 1);
        step.Release();

        Assert.Equal("follower", follower.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Equal(["data: {\"n\":1}", "data: [DONE]"], await followerReader.ReadAllAsync().WaitAsync(Patience));
    }

    [Fact]
    public async Task Stream_SoleClientDisconnects_UpstreamCancelledAfterGrace()
    {
        // The grace is the product's default: far longer than a resume takes to arrive, even on a starved machine.
        const int graceSeconds = 10;
        var next = new TaskCompletionSource();
        var upstreamCancelled = new TaskCompletionSource();
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":0}\n\n");
            try
            {
                // Event 1 exists only once the test has seen the first client go: whoever gets it got it from this same call.
                await next.Task.WaitAsync(context.RequestAborted);
                await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":1}\n\n");
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                upstreamCancelled.SetResult();
            }
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress,
            new Dictionary<string, string> { ["Gateway:Resume:GraceSeconds"] = graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var body = Body(stream: true);

        using var abort = new CancellationTokenSource();
        var response = await gateway.Client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead, abort.Token);
        var reader = new SseReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal("data: {\"n\":0}", await reader.ReadEventAsync().WaitAsync(Patience));
        abort.Cancel();
        response.Dispose();
        await WaitUntilAsync(() => Subscribers(gateway) == 0);

        // The sole client is gone, yet the upstream call is still open: a resume arriving now is served its later events by it.
        var resume = Chat(body);
        resume.Headers.Add("Last-Event-ID", reader.Ids[0]);
        // (Its headers go out with its first event, which the upstream sends only once the resume has joined.)
        var resuming = gateway.Client.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
        await WaitUntilAsync(() => Subscribers(gateway) == 1);
        next.SetResult();
        using (var resumed = await resuming.WaitAsync(Patience))
        {
            var resumedReader = new SseReader(await resumed.Content.ReadAsStreamAsync());
            Assert.Equal("data: {\"n\":1}", await resumedReader.ReadEventAsync().WaitAsync(Patience));
            Assert.False(upstreamCancelled.Task.IsCompleted);
        }

        // With no reader left again, the upstream call is cancelled once the grace has run out.
        await upstreamCancelled.Task.WaitAsync(Patience + TimeSpan.FromSeconds(graceSeconds));
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Post_UpstreamFails_EveryWaiterGetsTheErrorAndNothingIsCached()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            await release.Task;
            context.Response.StatusCode = 500;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"message\":\"boom\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Upstream:MaxRetries"] = "0" });
        var body = Body(stream: false);

        var requests = Enumerable.Range(0, 5).Select(_ => gateway.Client.SendAsync(Chat(body))).ToList();
        await WaitUntilAsync(() => Subscribers(gateway) == 4);
        release.SetResult();
        var responses = await Task.WhenAll(requests);
        using var again = await gateway.Client.SendAsync(Chat(body));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.InternalServerError, r.StatusCode));
        Assert.All(await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync())), b => Assert.Contains("boom", b));
        Assert.Equal(HttpStatusCode.InternalServerError, again.StatusCode);
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task Post_UpstreamUnreachable_FollowersGet502Too()
    {
        var release = new TaskCompletionSource();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            await release.Task;
            context.Abort();
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = Body(stream: false);

        var requests = Enumerable.Range(0, 3).Select(_ => gateway.Client.SendAsync(Chat(body))).ToList();
        await WaitUntilAsync(() => Subscribers(gateway) == 2);
        release.SetResult();
        var responses = await Task.WhenAll(requests);

        foreach (var response in responses)
        {
            await OpenAiErrorAssert.IsErrorAsync(response, 502, "upstream_unreachable");
        }
    }

    [Fact]
    public async Task Post_DedupeOff_EachRequestCallsUpstream()
    {
        var release = new TaskCompletionSource();
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                release.SetResult();
            }

            await release.Task.WaitAsync(Patience);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = Body(stream: false);

        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
        {
            var request = Chat(body);
            request.Headers.Add("x-aigw-dedupe", "off");
            request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
            return gateway.Client.SendAsync(request);
        }));

        Assert.Equal(2, calls);
        Assert.All(responses, r => Assert.False(r.Headers.Contains("x-aigw-dedupe")));
    }

    [Fact]
    public async Task Post_OrgDedupeDisabled_TwoIdenticalConcurrentCallsBothReachUpstream()
    {
        // The upstream answers neither call until both have reached it: with dedupe on, the second would wait on the first.
        var bothArrived = new TaskCompletionSource();
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            if (Interlocked.Increment(ref calls) == 2)
            {
                bothArrived.SetResult();
            }

            await bothArrived.Task.WaitAsync(Patience);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"id\":\"chatcmpl-" + Guid.NewGuid() + "\",\"choices\":[]}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        const string key = "sk-dedupe-off-org";
        // No admin key: the operator API answers on loopback, where the test is.
        using (var put = await gateway.Client.PutAsync($"api/orgs/pt_{Transforms.Identity.ApiKeyHasher.Hash(key)[..16]}/settings",
                   new StringContent("{\"dedupe_enabled\":false}", System.Text.Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var body = Body(stream: false);
        var responses = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ =>
        {
            var request = Chat(body);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            return gateway.Client.SendAsync(request);
        }));

        Assert.Equal(2, calls);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.All(responses, r => Assert.False(r.Headers.Contains("x-aigw-dedupe")));
        Assert.NotEqual(await responses[0].Content.ReadAsStringAsync(), await responses[1].Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Stream_ResumeWithLastEventId_GetsEachLaterEventExactlyOnceMidStreamAndAfterCompletion()
    {
        var step = new SemaphoreSlim(0);
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            for (var i = 0; i < 6; i++)
            {
                await step.WaitAsync(Patience);
                await ScriptedUpstream.WriteEventAsync(context.Response, $"data: {{\"n\":{i}}}\n\n");
            }

            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Resume:GraceSeconds"] = "30" });
        var body = Body(stream: true);

        using (var dropping = await gateway.Client.SendAsync(Chat(body), HttpCompletionOption.ResponseHeadersRead))
        {
            var reader = new SseReader(await dropping.Content.ReadAsStreamAsync());
            step.Release(3);
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal($"data: {{\"n\":{i}}}", await reader.ReadEventAsync().WaitAsync(Patience));
            }

            var lastId = reader.Ids[^1];
            dropping.Dispose();

            var resume = Chat(body);
            resume.Headers.Add("Last-Event-ID", lastId);
            using var resumed = await gateway.Client.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead);
            var resumedReader = new SseReader(await resumed.Content.ReadAsStreamAsync());
            step.Release(3);
            Assert.Equal(["data: {\"n\":3}", "data: {\"n\":4}", "data: {\"n\":5}", "data: [DONE]"], await resumedReader.ReadAllAsync().WaitAsync(Patience));

            var afterCompletion = Chat(body);
            afterCompletion.Headers.Add("Last-Event-ID", reader.Ids[0]);
            using var late = await gateway.Client.SendAsync(afterCompletion);
            var lateEvents = await new SseReader(await late.Content.ReadAsStreamAsync()).ReadAllAsync();
            Assert.Equal(["data: {\"n\":1}", "data: {\"n\":2}", "data: {\"n\":3}", "data: {\"n\":4}", "data: {\"n\":5}", "data: [DONE]"], lateEvents);
        }

        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Stream_ResumeUnknownId_404()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(_ => Task.CompletedTask);
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        var request = Chat(Body(stream: true));
        request.Headers.Add("Last-Event-ID", "0123456789abcdef:3");
        using var response = await gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 404, "resume_not_found");
    }

    [Fact]
    public async Task Stream_ResumeAtIntMaxPosition_400AndNothingReplayed()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":0}\n\n");
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var body = Body(stream: true);
        using var first = await gateway.Client.SendAsync(Chat(body));
        var reader = new SseReader(await first.Content.ReadAsStreamAsync());
        await reader.ReadAllAsync().WaitAsync(Patience);
        var responseId = reader.Ids[0][..reader.Ids[0].LastIndexOf(':')];

        // position + 1 wrapped to int.MinValue and replayed the whole answer.
        var resume = Chat(body);
        resume.Headers.Add("Last-Event-ID", responseId + ":2147483647");
        using var resumed = await gateway.Client.SendAsync(resume);

        await OpenAiErrorAssert.IsErrorAsync(resumed, 400, "invalid_last_event_id");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("1")]
    public async Task Stream_ResumeUncachedStreamAfterEnd_ServedWithinMaxBytesElseResumeNotFound(string? maxBytes)
    {
        var calls = 0;
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            Interlocked.Increment(ref calls);
            context.Response.ContentType = "text/event-stream";
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":0}\n\n");
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: {\"n\":1}\n\n");
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        });
        var settings = maxBytes is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["Gateway:Resume:MaxBytes"] = maxBytes };
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, settings);
        var body = Body(stream: true);

        using var first = await gateway.Client.SendAsync(Uncached(Chat(body)));
        var reader = new SseReader(await first.Content.ReadAsStreamAsync());
        Assert.Equal(["data: {\"n\":0}", "data: {\"n\":1}", "data: [DONE]"], await reader.ReadAllAsync().WaitAsync(Patience));

        var resume = Uncached(Chat(body));
        resume.Headers.Add("Last-Event-ID", reader.Ids[0]);
        using var resumed = await gateway.Client.SendAsync(resume);

        if (maxBytes is null)
        {
            Assert.Equal(HttpStatusCode.OK, resumed.StatusCode);
            Assert.Equal(["data: {\"n\":1}", "data: [DONE]"], await new SseReader(await resumed.Content.ReadAsStreamAsync()).ReadAllAsync().WaitAsync(Patience));
        }
        else
        {
            await OpenAiErrorAssert.IsErrorAsync(resumed, 404, "resume_not_found");
        }

        Assert.Equal(1, calls);
    }

    private static string Body(bool stream) =>
        $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"{Guid.NewGuid()}\"}}]}}";

    private static HttpRequestMessage Uncached(HttpRequestMessage request)
    {
        request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        return request;
    }

    private static HttpRequestMessage Chat(string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-dedupe-test");
        return request;
    }
}
