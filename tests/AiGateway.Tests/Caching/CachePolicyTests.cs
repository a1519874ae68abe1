using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Identity;
using StackExchange.Redis;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Caching;

/// <summary>
/// Which TTL an entry gets (CONTRACT §9: the route's <c>TtlSeconds</c>, else the org's <c>cache_ttl_seconds</c>, else
/// <c>Gateway:Cache:DefaultTtlSeconds</c>), read where it takes effect: the expiry Redis holds for the entry.
/// </summary>
public sealed class CachePolicyTests : IDisposable
{
    private const int DefaultTtl = 3000;
    private const int OrgTtl = 2000;
    private const int RouteTtl = 1000;

    // Far wider than any stall between writing an entry and reading its expiry, and far narrower than the gaps between the TTLs.
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(300);

    private readonly WireMockServer _upstream = WireMockServer.Start();
    private readonly string _key = "sk-ttl-" + Guid.NewGuid().ToString("N");
    private readonly string _otherKey = "sk-ttl-other-" + Guid.NewGuid().ToString("N");

    public CachePolicyTests()
    {
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody(_ => "{\"id\":\"chatcmpl-" + Guid.NewGuid().ToString("N") + "\",\"object\":\"chat.completion\",\"choices\":[]}"));
    }

    public void Dispose() => _upstream.Stop();

    [Fact]
    public async Task Post_RouteOrgAndDefaultTtls_RouteBeatsOrgBeatsDefault()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!), new Dictionary<string, string>
        {
            ["ConnectionStrings:Redis"] = TestServices.Redis,
            ["Gateway:Cache:DefaultTtlSeconds"] = DefaultTtl.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:Routes:ttl.route:TtlSeconds"] = RouteTtl.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        // No admin key: the operator API answers on loopback, where the test is.
        using (var put = await gateway.Client.PutAsync($"api/orgs/{Org(_key)}/settings",
                   new StringContent($"{{\"cache_ttl_seconds\":{OrgTtl}}}", Encoding.UTF8, "application/json")))
        {
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        var routed = Body("routed");
        var orgOnly = Body("org only");
        var neither = Body("neither");
        (await PostAsync(gateway, _key, routed, "ttl.route")).Dispose();
        (await PostAsync(gateway, _key, orgOnly, null)).Dispose();
        (await PostAsync(gateway, _otherKey, neither, null)).Dispose();

        using var redis = await ConnectionMultiplexer.ConnectAsync(TestServices.Redis);
        var database = redis.GetDatabase();
        AssertTtl(RouteTtl, await database.KeyTimeToLiveAsync(EntryKey(_key, routed)), "route over org");
        AssertTtl(OrgTtl, await database.KeyTimeToLiveAsync(EntryKey(_key, orgOnly)), "org over default");
        AssertTtl(DefaultTtl, await database.KeyTimeToLiveAsync(EntryKey(_otherKey, neither)), "default");
    }

    private static void AssertTtl(int seconds, TimeSpan? held, string what)
    {
        Assert.True(held is { } ttl && ttl <= TimeSpan.FromSeconds(seconds) && ttl > TimeSpan.FromSeconds(seconds) - Slack,
            $"{what}: expected an expiry of at most {seconds} s, got {held?.TotalSeconds.ToString() ?? "none"}");
    }

    private static string Org(string key) => "pt_" + ApiKeyHasher.Hash(key)[..16];

    // The entry's Redis key, as RedisResponseCacheStore names it: aigw:c:<org>:{fingerprint}.
    private static RedisKey EntryKey(string key, string body)
    {
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return "aigw:c:" + Org(key) + ":{" + RequestFingerprint.Compute("org:" + Org(key), "/v1/chat/completions", json.RootElement, ["user"]) + "}";
    }

    private static string Body(string prompt) => "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + " " + Guid.NewGuid() + "\"}]}";

    private static Task<HttpResponseMessage> PostAsync(TestGateway gateway, string key, string body, string? route)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (route is not null)
        {
            request.Headers.Add("x-aigw-route", route);
        }

        return gateway.Client.SendAsync(request);
    }
}
