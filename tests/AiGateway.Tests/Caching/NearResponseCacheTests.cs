using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Identity;
using Microsoft.Extensions.DependencyInjection;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Caching;

/// <summary>
/// The near copies in front of Redis: unit behaviour, and on two real gateways sharing one Redis, that overwrites,
/// purges, expiry and reconnections are seen by the other instance's very next request.
/// </summary>
public sealed class NearResponseCacheTests : IDisposable
{
    private const long Now = 1_700_000_000_000;
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private readonly string _key = "sk-test-" + Guid.NewGuid().ToString("N");
    private readonly string _chat = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"near " + Guid.NewGuid() + "\"}]}";

    public NearResponseCacheTests()
    {
        // Every upstream answer is different, so a test can tell which one a hit replays.
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(_ => "{\"id\":\"chatcmpl-" + Guid.NewGuid().ToString("N") + "\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"4\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":1,\"total_tokens\":10}}"));
    }

    public void Dispose() => _upstream.Stop();

    [Fact]
    public void Add_InvalidatedSinceObserved_NotKept()
    {
        var near = new NearResponseCache(TimeSpan.FromSeconds(5), 1 << 20);
        var observed = near.Observe("fp");

        near.Invalidate("fp");
        near.Add("fp", Entry(), TimeSpan.FromHours(1), observed, Now);

        Assert.False(near.TryGet("fp", Now, out _));
    }

    [Fact]
    public void TryGet_AfterEntrysRemainingTtl_Miss()
    {
        var near = new NearResponseCache(TimeSpan.FromSeconds(5), 1 << 20);

        near.Add("fp", Entry(), TimeSpan.FromMilliseconds(300), near.Observe("fp"), Now);

        Assert.True(near.TryGet("fp", Now + 299, out _));
        Assert.False(near.TryGet("fp", Now + 300, out _));
    }

    [Fact]
    public void TryGet_AfterNearLifetime_Miss()
    {
        var near = new NearResponseCache(TimeSpan.FromSeconds(5), 1 << 20);

        near.Add("fp", Entry(), null, near.Observe("fp"), Now);

        Assert.True(near.TryGet("fp", Now + 4_999, out _));
        Assert.False(near.TryGet("fp", Now + 5_000, out _));
    }

    [Fact]
    public void Add_BeyondByteLimit_NotKeptAndBytesStayBounded()
    {
        var near = new NearResponseCache(TimeSpan.FromSeconds(5), 1 << 20);
        var big = Entry(400 * 1024);

        for (var i = 0; i < 5; i++)
        {
            near.Add("fp" + i, big, null, near.Observe("fp" + i), Now);
        }

        Assert.True(near.Bytes <= 1 << 20, $"{near.Bytes} bytes held");
        Assert.True(near.TryGet("fp0", Now, out _));
        Assert.False(near.TryGet("fp4", Now, out _));
    }

    [Fact]
    public void Clear_DropsEveryCopyAndRejectsFetchesStartedBefore()
    {
        var near = new NearResponseCache(TimeSpan.FromSeconds(5), 1 << 20);
        near.Add("a", Entry(), null, near.Observe("a"), Now);
        var observed = near.Observe("b");

        near.Clear();
        near.Add("b", Entry(), null, observed, Now);

        Assert.False(near.TryGet("a", Now, out _));
        Assert.False(near.TryGet("b", Now, out _));
        Assert.Equal(0, near.Bytes);
    }

    [Fact]
    public async Task TwoInstances_ImmediateReRequestsOnEither_AllHitsOfOneAnswer()
    {
        await using var first = await StartAsync(TestServices.Redis);
        await using var second = await StartAsync(TestServices.Redis);

        var stored = await PostAsync(first);
        var answers = new[] { await PostAsync(second), await PostAsync(second), await PostAsync(first), await PostAsync(second) };

        Assert.Equal("miss", stored.Cache);
        Assert.All(answers, a => Assert.Equal(("hit", stored.Body), (a.Cache, a.Body)));
        Assert.True(HasCopy(second), "The second instance kept no near copy of the entry it read.");
        Assert.Single(_upstream.LogEntries);
    }

    [Fact]
    public async Task StoredAnswer_NoCopyUntilItIsRead()
    {
        // A copy of every stored answer, alive for seconds, is GC work for answers that are mostly never asked again.
        await using var gateway = await StartAsync(TestServices.Redis);

        var stored = await PostAsync(gateway);
        var copiedOnStore = HasCopy(gateway);
        var hit = await PostAsync(gateway);

        Assert.Equal(("miss", false), (stored.Cache, copiedOnStore));
        Assert.Equal(("hit", true), (hit.Cache, HasCopy(gateway)));
    }

    [Fact]
    public async Task PurgeByFingerprintOnFirst_SecondInstancesNextRequestMisses()
    {
        await using var first = await StartAsync(TestServices.Redis);
        await using var second = await StartAsync(TestServices.Redis);
        await PostAsync(first);
        await PostAsync(second);
        Assert.True(HasCopy(second), "Precondition: the second instance holds a near copy.");

        using var purge = await first.Client.DeleteAsync($"api/cache?org={Org}&fingerprint={Fingerprint()}");
        var after = await PostAsync(second);

        Assert.Contains("\"purged\":1", await purge.Content.ReadAsStringAsync());
        Assert.Equal("miss", after.Cache);
    }

    [Fact]
    public async Task PurgeByOrgOnFirst_SecondInstancesNextRequestMisses()
    {
        await using var first = await StartAsync(TestServices.Redis);
        await using var second = await StartAsync(TestServices.Redis);
        await PostAsync(first);
        await PostAsync(second);
        Assert.True(HasCopy(second), "Precondition: the second instance holds a near copy.");

        using var purge = await first.Client.DeleteAsync($"api/cache?org={Org}");
        var after = await PostAsync(second);

        Assert.Equal(HttpStatusCode.OK, purge.StatusCode);
        Assert.Equal("miss", after.Cache);
    }

    [Fact]
    public async Task NoCacheRefreshOnFirst_SecondInstancesNextRequestGetsTheNewAnswer()
    {
        await using var first = await StartAsync(TestServices.Redis);
        await using var second = await StartAsync(TestServices.Redis);
        var original = await PostAsync(first);
        await PostAsync(second);
        Assert.True(HasCopy(second), "Precondition: the second instance holds a near copy.");

        var refreshed = await PostAsync(first, cacheControl: "no-cache");
        var after = await PostAsync(second);

        Assert.Equal("refresh", refreshed.Cache);
        Assert.NotEqual(original.Body, refreshed.Body);
        Assert.Equal(("hit", refreshed.Body), (after.Cache, after.Body));
    }

    [Fact]
    public async Task EntryExpiredInRedis_OtherInstanceStopsServingItsCopy()
    {
        // The near lifetime (60 s) is far longer than the entry's TTL (1 s): only the TTL can end the copy.
        await using var first = await StartAsync(TestServices.Redis);
        await using var second = await StartAsync(TestServices.Redis);
        await PostAsync(first, ttl: "1");
        Assert.Equal("hit", (await PostAsync(second)).Cache);
        Assert.True(HasCopy(second), "Precondition: the second instance holds a near copy.");

        var status = "hit";
        for (var attempt = 0; attempt < 100 && status == "hit"; attempt++)
        {
            await Task.Delay(100);
            status = (await PostAsync(second)).Cache;
        }

        Assert.True(status == "miss", "The second instance kept answering from its copy 10 s after the 1 s entry expired in Redis.");
    }

    [Fact]
    public async Task RedisRestartedEmpty_CopiesDropped()
    {
        using var redis = await OwnedRedisServer.StartAsync();
        await using var gateway = await StartAsync(redis.ConnectionString);
        await PostAsync(gateway);
        Assert.Equal("hit", (await PostAsync(gateway)).Cache);
        Assert.True(HasCopy(gateway), "Precondition: the instance holds a near copy.");

        redis.Kill();
        await redis.RestartAsync();
        var reconnected = false;
        for (var attempt = 0; attempt < 300 && !reconnected; attempt++)
        {
            // Redis is skipped for a few seconds after a failure: wait until a fresh entry is stored and hit again.
            await Task.Delay(100);
            var probe = _chat.Replace("near ", "probe " + attempt + " ");
            await PostAsync(gateway, body: probe);
            reconnected = (await PostAsync(gateway, body: probe)).Cache == "hit";
        }

        Assert.True(reconnected, "Caching did not resume within 30 s of the Redis restart.");
        Assert.Equal("miss", (await PostAsync(gateway)).Cache);
    }

    private string Org => "pt_" + ApiKeyHasher.Hash(_key)[..16];

    private static CachedResponse Entry(int size = 16) => new(200, [], new byte[size], null, -1, Now, "r");

    private string Fingerprint()
    {
        using var json = JsonDocument.Parse(_chat);
        return RequestFingerprint.Compute(RequestFingerprint.Scope(Org, null, false), "/v1/chat/completions", json.RootElement, ["user"]);
    }

    private bool HasCopy(TestGateway gateway) =>
        gateway.Services.GetRequiredService<NearResponseCache>().TryGet(Fingerprint(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(), out _);

    private Task<TestGateway> StartAsync(string redis) =>
        TestGateway.StartAsync(new Uri(_upstream.Url!), new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = redis,
            ["Gateway:Cache:NearSeconds"] = "60",
        });

    private async Task<(string Cache, string Body)> PostAsync(TestGateway gateway, string? body = null, string? cacheControl = null, string? ttl = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body ?? _chat, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        if (cacheControl is not null)
        {
            request.Headers.TryAddWithoutValidation("Cache-Control", cacheControl);
        }

        if (ttl is not null)
        {
            request.Headers.Add("x-aigw-cache-ttl", ttl);
        }

        using var response = await gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response.Headers.GetValues("x-aigw-cache").Single(), await response.Content.ReadAsStringAsync());
    }
}
