using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Upstream;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>Fallback models (<c>Gateway:Upstream:FallbackModels</c>): which failures fall back, what the client gets, and what is not cached.</summary>
public sealed class UpstreamFallbackTests
{
    private const string Primary = "gpt-4o";
    private const string Fallback = "gpt-4o-mini";

    // A bound on waiting for the gateway, far beyond the limits configured below: a failure, not a timing assertion.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static readonly Dictionary<string, string> FallbackSettings = new()
    {
        ["Gateway:Upstream:MaxRetries"] = "1",
        ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "20",
        [$"Gateway:Upstream:FallbackModels:{Primary}"] = Fallback,
    };

    [Fact]
    public async Task Post_PrimaryModel500UntilRetriesRunOut_FallbackModelAnswersAndIsNotCached()
    {
        var primaryFails = true;
        var models = new ConcurrentQueue<string>();
        var bodies = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            bodies.Enqueue(body);
            var model = ModelOf(body);
            models.Enqueue(model);
            if (model == Primary && Volatile.Read(ref primaryFails))
            {
                await WriteErrorAsync(context.Response, StatusCodes.Status500InternalServerError, "server_error", null);
                return;
            }

            await WriteAnswerAsync(context.Response, model);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);
        var request = Chat(Primary, "Fall back once " + Guid.NewGuid());

        using var fellBack = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.OK, fellBack.StatusCode);
        Assert.Equal(Fallback, ModelOf(await fellBack.Content.ReadAsStringAsync()));
        Assert.Equal([Primary, Primary, Fallback], models);
        // Only the model differs: the rest of the body goes upstream as the client sent it.
        Assert.Equal(request.Replace($"\"model\":\"{Primary}\"", $"\"model\":\"{Fallback}\"", StringComparison.Ordinal), bodies.Last());
        Assert.Equal((Fallback, Fallback, "bypass"), (Header(fellBack, "x-aigw-model"), Header(fellBack, "x-aigw-fallback-model"), Header(fellBack, "x-aigw-cache")));

        // The stand-in's answer was not stored under the call's fingerprint: the same call gets the real model again.
        Volatile.Write(ref primaryFails, false);
        using var again = await PostAsync(gateway, request);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(Primary, ModelOf(await again.Content.ReadAsStringAsync()));
        Assert.Equal(Primary, models.Last());
        Assert.Equal(("miss", Primary), (Header(again, "x-aigw-cache"), Header(again, "x-aigw-model")));
        Assert.False(again.Headers.Contains("x-aigw-fallback-model"));
    }

    [Fact]
    public async Task Post_429InsufficientQuota_NoFallbackAndBodyUnchanged()
    {
        const string quota = "{\"error\":{\"message\":\"You exceeded your current quota, please check your plan and billing details.\",\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}";
        var models = new ConcurrentQueue<string>();
        await using var upstream = await StartRefusingUpstreamAsync(models, StatusCodes.Status429TooManyRequests, quota);
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);

        using var response = await PostAsync(gateway, Chat(Primary));

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(quota, await response.Content.ReadAsStringAsync());
        Assert.Equal([Primary], models);
        Assert.False(response.Headers.Contains("x-aigw-fallback-model"));
    }

    [Fact]
    public async Task Post_RateLimited429_FallbackModelAnswers()
    {
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var model = ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync());
            models.Enqueue(model);
            if (model == Primary)
            {
                // Not worth waiting for: the retries end at once, and the fallback model has limits of its own.
                context.Response.Headers.RetryAfter = "3600";
                await WriteErrorAsync(context.Response, StatusCodes.Status429TooManyRequests, "requests", "rate_limit_exceeded");
                return;
            }

            await WriteAnswerAsync(context.Response, model);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);

        using var response = await PostAsync(gateway, Chat(Primary));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([Primary, Fallback], models);
        Assert.Equal(Fallback, Header(response, "x-aigw-fallback-model"));
    }

    [Fact]
    public async Task Post_400_NoFallbackAndBodyUnchanged()
    {
        const string invalid = "{\"error\":{\"message\":\"Invalid 'messages': empty array.\",\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":\"empty_array\"}}";
        var models = new ConcurrentQueue<string>();
        await using var upstream = await StartRefusingUpstreamAsync(models, StatusCodes.Status400BadRequest, invalid);
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);

        using var response = await PostAsync(gateway, Chat(Primary));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(invalid, await response.Content.ReadAsStringAsync());
        Assert.Equal([Primary], models);
    }

    [Fact]
    public async Task Post_ModelWithoutFallback_LastUpstreamAnswerUnchanged()
    {
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            models.Enqueue(ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync()));
            context.Response.Headers["x-request-id"] = "req_" + models.Count;
            await WriteErrorAsync(context.Response, StatusCodes.Status503ServiceUnavailable, "server_error", null);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);

        using var response = await PostAsync(gateway, Chat("gpt-4.1"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("req_2", Header(response, "x-request-id"));
        Assert.Equal(["gpt-4.1", "gpt-4.1"], models);
        Assert.False(response.Headers.Contains("x-aigw-fallback-model"));
    }

    [Fact]
    public async Task Post_FallbackModelFailsToo_ItsAnswerGoesToTheClientAndItsOwnFallbackIsNotFollowed()
    {
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var model = ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync());
            models.Enqueue(model);
            context.Response.Headers["x-request-id"] = "req_" + model;
            await WriteErrorAsync(context.Response, StatusCodes.Status502BadGateway, "server_error", null);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>(FallbackSettings)
        {
            [$"Gateway:Upstream:FallbackModels:{Fallback}"] = Primary,
        });

        using var response = await PostAsync(gateway, Chat(Primary));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal("req_" + Fallback, Header(response, "x-request-id"));
        Assert.Equal([Primary, Primary, Fallback], models);
        Assert.Equal(Fallback, Header(response, "x-aigw-fallback-model"));
    }

    [Fact]
    public async Task StreamedPost_PrimaryModel503_FallbackModelStreamsTheAnswer()
    {
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var model = ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync());
            models.Enqueue(model);
            if (model == Primary)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await WriteStreamAsync(context.Response, model);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);

        using var response = await PostAsync(gateway, Chat(Primary, stream: true), HttpCompletionOption.ResponseHeadersRead);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync().WaitAsync(Patience);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(events, e => e.Contains($"\"model\":\"{Fallback}\"", StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.Equal([Primary, Primary, Fallback], models);
        Assert.Equal((Fallback, "bypass"), (Header(response, "x-aigw-fallback-model"), Header(response, "x-aigw-cache")));
    }

    [Fact]
    public async Task StreamedPost_PrimaryModelStallsPastFirstByteTimeout_FallbackModelAnswers()
    {
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var model = ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync());
            models.Enqueue(model);
            if (model == Primary)
            {
                await StallAsync(context);
                return;
            }

            await WriteStreamAsync(context.Response, model);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>(FallbackSettings)
        {
            ["Gateway:Upstream:FirstByteTimeoutSeconds"] = "1",
        });
        using var patience = new CancellationTokenSource(Patience);

        using var response = await PostAsync(gateway, Chat(Primary, stream: true), HttpCompletionOption.ResponseHeadersRead, patience.Token);
        var events = await new SseReader(await response.Content.ReadAsStreamAsync(patience.Token)).ReadAllAsync().WaitAsync(patience.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("data: [DONE]", events[^1]);
        Assert.Equal(Fallback, models.Last());
        Assert.Equal(Fallback, Header(response, "x-aigw-fallback-model"));
    }

    [Fact]
    public async Task Post_DedupeFollowerOfAFallingBackLeader_GetsTheFallbackAnswerAndHeaders()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var models = new ConcurrentQueue<string>();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            var model = ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync());
            models.Enqueue(model);
            if (model == Primary)
            {
                await WriteErrorAsync(context.Response, StatusCodes.Status500InternalServerError, "server_error", null);
                return;
            }

            await release.Task.WaitAsync(Patience);
            await WriteAnswerAsync(context.Response, model);
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, FallbackSettings);
        var request = Chat(Primary, "Follow the fallback " + Guid.NewGuid());

        var leaderCall = PostAsync(gateway, request);
        await LiveAnswers.WaitUntilAsync(() => models.Contains(Fallback));
        var followerCall = PostAsync(gateway, request);
        // The follower waits on the leader's answer, which the upstream holds back until both overlap.
        await LiveAnswers.WaitUntilAsync(() => LiveAnswers.Subscribers(gateway) == 1);
        release.SetResult();
        using var leader = await leaderCall;
        using var follower = await followerCall;

        Assert.Equal([Primary, Primary, Fallback], models);
        Assert.Equal(("leader", "follower"), (Header(leader, "x-aigw-dedupe"), Header(follower, "x-aigw-dedupe")));
        Assert.Equal(await leader.Content.ReadAsStringAsync(), await follower.Content.ReadAsStringAsync());
        Assert.Equal((Fallback, Fallback), (Header(follower, "x-aigw-fallback-model"), Header(follower, "x-aigw-model")));
    }

    internal static string Chat(string model, string? text = null, bool stream = false) =>
        $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":{JsonSerializer.Serialize(text ?? "hi " + Guid.NewGuid())}}}]}}";

    private static Task<HttpResponseMessage> PostAsync(TestGateway gateway, string body, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead, CancellationToken cancellationToken = default) =>
        gateway.Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") }, completion, cancellationToken);

    // An upstream that records each call's model and refuses every call with the same status and body.
    private static Task<ScriptedUpstream> StartRefusingUpstreamAsync(ConcurrentQueue<string> models, int status, string body) =>
        ScriptedUpstream.StartAsync(async context =>
        {
            models.Enqueue(ModelOf(await new StreamReader(context.Request.Body).ReadToEndAsync()));
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body);
        });

    private static string ModelOf(string json) => JsonDocument.Parse(json).RootElement.GetProperty("model").GetString()!;

    private static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static async Task WriteErrorAsync(HttpResponse response, int status, string type, string? code)
    {
        response.StatusCode = status;
        await response.WriteAsJsonAsync(new { error = new { message = "attempt failed", type, param = (string?)null, code } });
    }

    private static async Task WriteAnswerAsync(HttpResponse response, string model)
    {
        response.ContentType = "application/json";
        await response.WriteAsync(
            "{\"id\":\"chatcmpl-" + Guid.NewGuid().ToString("N") + "\",\"object\":\"chat.completion\",\"model\":\"" + model + "\"," +
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]," +
            "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":9,\"total_tokens\":49}}");
    }

    private static async Task WriteStreamAsync(HttpResponse response, string model)
    {
        response.ContentType = "text/event-stream";
        await ScriptedUpstream.WriteEventAsync(response, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":null}]}\n\n");
        await ScriptedUpstream.WriteEventAsync(response, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"model\":\"" + model + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":9,\"total_tokens\":49}}\n\n");
        await ScriptedUpstream.WriteEventAsync(response, "data: [DONE]\n\n");
    }

    private static async Task StallAsync(HttpContext context)
    {
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // The gateway gave up on this attempt.
        }
    }
}
