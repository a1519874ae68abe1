using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Identity;
using MockOpenAi;
using OpenAI;
using OpenAI.Chat;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Caching;

/// <summary>The cache end to end, on the in-process store and on real Redis.</summary>
public sealed class ResponseCacheTests : IDisposable
{
    private const string Chat = "{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}";
    private readonly WireMockServer _upstream = WireMockServer.Start();

    // Every test run uses its own keys, so entries left in a shared Redis never answer another run.
    private readonly string _key = "sk-test-" + Guid.NewGuid().ToString("N");

    public ResponseCacheTests()
    {
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("x-request-id", "req_original").WithHeader("x-ratelimit-remaining-requests", "99")
                .WithBody(_ => "{\"id\":\"chatcmpl-" + Guid.NewGuid().ToString("N") + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"4\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}"));
    }

    public static TheoryData<string> Stores => new() { "memory", "redis" };

    public void Dispose() => _upstream.Stop();

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_SameRequestTwice_SecondIsHitWithoutUpstreamCall(string store)
    {
        await using var gateway = await StartAsync(store);

        using var first = await PostAsync(gateway, Chat);
        using var second = await PostAsync(gateway, Chat);

        Assert.Equal("miss", first.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal("hit", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal("req_original", second.Headers.GetValues("x-request-id").Single());
        Assert.Equal("99", second.Headers.GetValues("x-ratelimit-remaining-requests").Single());
        Assert.True(second.Headers.Age is { } age && age >= TimeSpan.Zero);
        Assert.Single(_upstream.LogEntries);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_ByteDifferentEqualJson_Hit(string store)
    {
        await using var gateway = await StartAsync(store);

        using var first = await PostAsync(gateway, Chat);
        using var second = await PostAsync(gateway, "{ \"messages\": [ { \"content\": \"What is 2+2?\", \"role\": \"user\" } ],\n \"temperature\": 2e-1, \"model\": \"gpt-4o-mini\", \"user\": \"someone\" }");

        Assert.Equal("hit", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Single(_upstream.LogEntries);
    }

    [Theory]
    [InlineData("{\"model\":\"gpt-4o\",\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.3,\"messages\":[{\"role\":\"user\",\"content\":\"What is 2+2?\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.2,\"messages\":[{\"role\":\"user\",\"content\":\"What is 3+3?\"}]}")]
    public async Task Post_SemanticallyDifferentRequest_Miss(string other)
    {
        await using var gateway = await StartAsync("redis");

        using var first = await PostAsync(gateway, Chat);
        using var second = await PostAsync(gateway, other);

        Assert.Equal("miss", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(2, _upstream.LogEntries.Count());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_OtherOrgSameRequest_NeverGetsTheFirstOrgsEntry(string store)
    {
        await using var gateway = await StartAsync(store);

        using var orgA = await PostAsync(gateway, Chat);
        using var orgB = await PostAsync(gateway, Chat, key: _key + "-other-org");

        Assert.Equal("miss", orgB.Headers.GetValues("x-aigw-cache").Single());
        Assert.NotEqual(await orgA.Content.ReadAsStringAsync(), await orgB.Content.ReadAsStringAsync());
        Assert.Equal(2, _upstream.LogEntries.Count());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_NoCache_RefreshesEntry(string store)
    {
        await using var gateway = await StartAsync(store);

        using var first = await PostAsync(gateway, Chat);
        using var refreshed = await PostAsync(gateway, Chat, cacheControl: "no-cache");
        using var after = await PostAsync(gateway, Chat);

        Assert.Equal("refresh", refreshed.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal("hit", after.Headers.GetValues("x-aigw-cache").Single());
        var refreshedBody = await refreshed.Content.ReadAsStringAsync();
        Assert.NotEqual(await first.Content.ReadAsStringAsync(), refreshedBody);
        Assert.Equal(refreshedBody, await after.Content.ReadAsStringAsync());
        Assert.Equal(2, _upstream.LogEntries.Count());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_NoStore_NeitherReadsNorWrites(string store)
    {
        await using var gateway = await StartAsync(store);

        using var stored = await PostAsync(gateway, Chat);
        using var bypass = await PostAsync(gateway, Chat, cacheControl: "no-store");
        using var notWritten = await PostAsync(gateway, Chat + " ", cacheControl: "no-store");
        using var hit = await PostAsync(gateway, Chat);

        Assert.Equal("bypass", bypass.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal("bypass", notWritten.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(await stored.Content.ReadAsStringAsync(), await hit.Content.ReadAsStringAsync());
        Assert.Equal(3, _upstream.LogEntries.Count());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Post_TtlHeader_EntryExpires(string store)
    {
        await using var gateway = await StartAsync(store);

        using var first = await PostAsync(gateway, Chat, ttl: "1");
        var status = "hit";
        for (var attempt = 0; attempt < 100 && status == "hit"; attempt++)
        {
            await Task.Delay(100);
            using var again = await PostAsync(gateway, Chat, ttl: "1");
            status = again.Headers.GetValues("x-aigw-cache").Single();
        }

        Assert.Equal("miss", status);
    }

    [Fact]
    public async Task Post_MalformedTtlHeader_400()
    {
        await using var gateway = await StartAsync("memory");

        using var response = await PostAsync(gateway, Chat, ttl: "soon");

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_header");
        Assert.Empty(_upstream.LogEntries);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(404)]
    [InlineData(429)]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Post_UpstreamError_NeverCached(int status)
    {
        _upstream.Reset();
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":{\"message\":\"no\",\"type\":\"x\",\"param\":null,\"code\":null}}"));
        // Without retries each call is exactly one upstream request, so the count shows whether the second was answered from the cache.
        await using var gateway = await StartAsync("redis", new() { ["Gateway:Upstream:MaxRetries"] = "0" });

        using var first = await PostAsync(gateway, Chat);
        using var second = await PostAsync(gateway, Chat);

        Assert.Equal(status, (int)second.StatusCode);
        Assert.Equal("miss", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(2, _upstream.LogEntries.Count());
    }

    [Fact]
    public async Task Post_Upstream5xxWithRetries_EachCallRetriedAndNothingCached()
    {
        _upstream.Reset();
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(503).WithHeader("Content-Type", "application/json")
                .WithBody("{\"error\":{\"message\":\"overloaded\",\"type\":\"server_error\",\"param\":null,\"code\":null}}"));
        await using var gateway = await StartAsync("redis", new() { ["Gateway:Upstream:MaxRetries"] = "1", ["Gateway:Upstream:RetryBaseDelayMilliseconds"] = "1" });

        using var first = await PostAsync(gateway, Chat);
        using var second = await PostAsync(gateway, Chat);

        Assert.Equal(503, (int)second.StatusCode);
        Assert.Equal("miss", second.Headers.GetValues("x-aigw-cache").Single());
        // One retry per call: 2 upstream requests for each of the 2 calls, none answered from the cache.
        Assert.Equal(4, _upstream.LogEntries.Count());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Purge_ByOrgAndByFingerprint_RemovesEntries(string store)
    {
        await using var gateway = await StartAsync(store);
        using var first = await PostAsync(gateway, Chat);
        using var other = await PostAsync(gateway, Chat.Replace("2+2", "5+5"));

        var org = "pt_" + Transforms.Identity.ApiKeyHasher.Hash(_key)[..16];
        using var purged = await gateway.Client.DeleteAsync($"api/cache?org={org}");
        using var afterPurge = await PostAsync(gateway, Chat);

        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.Contains("\"purged\":2", await purged.Content.ReadAsStringAsync());
        Assert.Equal("miss", afterPurge.Headers.GetValues("x-aigw-cache").Single());
    }

    [Fact]
    public async Task Purge_WithoutFilter_400()
    {
        await using var gateway = await StartAsync("memory");

        using var response = await gateway.Client.DeleteAsync("api/cache");

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "missing_filter");
    }

    [Fact]
    public async Task Purge_WrongAdminKey_401()
    {
        await using var gateway = await StartAsync("memory", new() { ["Gateway:Admin:Key"] = "admin-secret" });

        using var request = new HttpRequestMessage(HttpMethod.Delete, "api/cache?org=x");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong");
        using var response = await gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 401, "invalid_admin_key");
    }

    [Fact]
    public async Task Route_CacheOff_Bypass()
    {
        await using var gateway = await StartAsync("memory", new() { ["Gateway:Routes:live.quotes:Cache"] = "false" });

        using var first = await PostAsync(gateway, Chat, route: "live.quotes");
        using var second = await PostAsync(gateway, Chat, route: "live.quotes");

        Assert.Equal("bypass", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(2, _upstream.LogEntries.Count());
    }

    [Fact]
    public async Task Route_SharedAcrossOrgs_OtherOrgHits()
    {
        await using var gateway = await StartAsync("redis", new() { ["Gateway:Routes:public.faq:SharedAcrossOrgs"] = "true" });
        var route = "public.faq";
        var body = Chat.Replace("2+2", Guid.NewGuid().ToString());

        using var orgA = await PostAsync(gateway, body, route: route);
        using var orgB = await PostAsync(gateway, body, key: _key + "-b", route: route);
        using var unshared = await PostAsync(gateway, body, key: _key + "-b");

        Assert.Equal("hit", orgB.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal("miss", unshared.Headers.GetValues("x-aigw-cache").Single());
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Stream_CachedStream_ReplaysAsSseThatTheSdkParsesToTheSameText(string store)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(store, upstream: upstream.BaseAddress);
        var options = new OpenAIClientOptions { Endpoint = new Uri(gateway.BaseAddress, "v1") };
        var client = new ChatClient("gpt-4o-mini", new ApiKeyCredential(_key), options);
        var prompt = "Tell me about caching " + Guid.NewGuid();

        async Task<string> StreamAsync()
        {
            var text = new StringBuilder();
            await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage(prompt)]))
            {
                text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            }

            return text.ToString();
        }

        var live = await StreamAsync();
        var replayed = await StreamAsync();

        Assert.False(string.IsNullOrEmpty(live));
        Assert.Equal(live, replayed);
        Assert.Equal(1, upstream.RequestCount);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Stream_HitForClientThatAskedForUsage_IncludesUsageChunkOnlyThen(string store)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(store, upstream: upstream.BaseAddress);
        var body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]";

        var live = await StreamEventsAsync(gateway, body + "}");
        var hitWithUsage = await StreamEventsAsync(gateway, body + ",\"stream_options\":{\"include_usage\":true}}");
        var hitWithout = await StreamEventsAsync(gateway, body + "}");

        Assert.Equal(1, upstream.RequestCount);
        Assert.DoesNotContain(live, e => e.Contains("\"choices\":[]"));
        Assert.Contains(hitWithUsage, e => e.Contains("\"choices\":[]") && e.Contains("\"usage\":{"));
        Assert.Equal(live, hitWithout);
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task Stream_AbortedByUpstream_NeverCached(string store)
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { DropAfterEvents = 3 });
        await using var gateway = await StartAsync(store, upstream: upstream.BaseAddress);
        var body = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}";

        await StreamEventsAsync(gateway, body);
        var second = await PostAsync(gateway, body);
        await second.Content.ReadAsStringAsync();

        Assert.Equal("miss", second.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(2, upstream.RequestCount);
    }

    [Fact]
    public async Task TwoInstances_OneRedis_ShareHitsImmediately()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var first = await StartAsync("redis", upstream: upstream.BaseAddress);
        await using var second = await StartAsync("redis", upstream: upstream.BaseAddress);
        var json = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}";
        var stream = json.Replace("{\"model\"", "{\"stream\":true,\"model\"");

        using var onFirst = await PostAsync(first, json);
        var firstBody = await onFirst.Content.ReadAsStringAsync();
        using var onSecond = await PostAsync(second, json);
        var streamedOnFirst = await StreamEventsAsync(first, stream);
        var streamedOnSecond = await StreamEventsAsync(second, stream);

        Assert.Equal("hit", onSecond.Headers.GetValues("x-aigw-cache").Single());
        Assert.Equal(firstBody, await onSecond.Content.ReadAsStringAsync());
        Assert.Equal(streamedOnFirst, streamedOnSecond);
        Assert.Equal(2, upstream.RequestCount);
    }

    private async Task<TestGateway> StartAsync(string store, Dictionary<string, string>? settings = null, Uri? upstream = null)
    {
        settings ??= [];
        if (store == "redis")
        {
            settings["ConnectionStrings:Redis"] = TestServices.Redis;
        }

        return await TestGateway.StartAsync(upstream ?? new Uri(_upstream.Url!), settings);
    }

    private Task<HttpResponseMessage> PostAsync(TestGateway gateway, string body, string? key = null, string? cacheControl = null, string? ttl = null, string? route = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key ?? _key);
        if (cacheControl is not null)
        {
            request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        }

        if (ttl is not null)
        {
            request.Headers.Add("x-aigw-cache-ttl", ttl);
        }

        if (route is not null)
        {
            request.Headers.Add("x-aigw-route", route);
        }

        return gateway.Client.SendAsync(request);
    }

    private async Task<List<string>> StreamEventsAsync(TestGateway gateway, string body)
    {
        using var response = await PostAsync(gateway, body);
        return await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync();
    }
}
