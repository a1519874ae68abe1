using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AiGateway.Tests.CostLog;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Cors;

/// <summary>
/// <c>Gateway:Cors:Origins</c> on a real gateway (CONTRACT §10.6): pages on a listed origin may call <c>/v1/*</c> and
/// <c>/api/inflight/*</c> and read the <c>x-aigw-*</c> headers; no other origin may, whatever the upstream says.
/// </summary>
public sealed class GatewayCorsTests
{
    private const string App = "http://app.test:5173";
    private const string Other = "http://other.test";

    [Theory]
    [InlineData("v1/chat/completions")]
    [InlineData("v1/responses")]
    [InlineData("api/inflight/0194f1c2-aaaa-7bbb-8ccc-123456789abc/release")]
    [InlineData("sdk/aigw-stream.js")]
    public async Task Preflight_ListedOrigin_AdmitsTheClientsHeadersWithoutCallingUpstream(string path)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, App);

        using var response = await gateway.Client.SendAsync(Preflight(path, App, "authorization, content-type, last-event-id, x-aigw-resume-attempt, x-aigw-fallback, x-aigw-customer"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(App, Single(response, "Access-Control-Allow-Origin"));
        var admitted = List(response, "Access-Control-Allow-Headers");
        foreach (var header in new[] { "authorization", "content-type", "last-event-id", "x-aigw-resume-attempt", "x-aigw-fallback", "x-aigw-customer" })
        {
            Assert.Contains(header, admitted, StringComparer.OrdinalIgnoreCase);
        }

        Assert.Contains("POST", List(response, "Access-Control-Allow-Methods"));
        Assert.Equal("600", Single(response, "Access-Control-Max-Age"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Preflight_HeaderOutsideTheList_NotAdmitted()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, App);

        using var response = await gateway.Client.SendAsync(Preflight("v1/chat/completions", App, "authorization, x-secret-debug"));

        Assert.Equal(App, Single(response, "Access-Control-Allow-Origin"));
        Assert.DoesNotContain("x-secret-debug", List(response, "Access-Control-Allow-Headers"), StringComparer.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(Other)]
    [InlineData("http://app.test")]
    [InlineData("https://app.test:5173")]
    public async Task Preflight_OriginNotListed_NoCorsHeadersAndNotForwarded(string origin)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, App);

        using var response = await gateway.Client.SendAsync(Preflight("v1/chat/completions", origin, "authorization, content-type"));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Preflight_NoOriginConfigured_AnsweredByTheGatewayAdmittingNone()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        using var response = await gateway.Client.SendAsync(Preflight("v1/chat/completions", App, "authorization"));

        Assert.DoesNotContain(response.Headers, header => header.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(0, upstream.RequestCount);
    }

    [Fact]
    public async Task Preflight_OperatorApi_NeverAdmitsAnotherOrigin()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, App);

        using var response = await gateway.Client.SendAsync(Preflight("api/metrics/ai-performance", App, "authorization"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Post_ListedOrigin_EveryAigwResponseHeaderExposed(bool stream)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await StartAsync(upstream, App);
        var body = $$"""{"model":"gpt-4o-mini","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"cors {{Guid.NewGuid()}}"}]}""";

        // A miss (leader) and then a hit: between them every x-aigw-* header a call can carry.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var _ in new[] { "miss", "hit" })
        {
            using var response = await gateway.Client.SendAsync(Chat(body, App));
            await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(App, Single(response, "Access-Control-Allow-Origin"));
            var exposed = List(response, "Access-Control-Expose-Headers");
            foreach (var name in response.Headers.Concat(response.Content.Headers).Select(h => h.Key).Where(k => k.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase)))
            {
                seen.Add(name);
                Assert.Contains(name, exposed, StringComparer.OrdinalIgnoreCase);
            }
        }

        Assert.Contains("x-aigw-request-id", seen);
        Assert.Contains("x-aigw-dedupe", seen);
        Assert.Contains("x-aigw-cache", seen);
    }

    [Theory]
    [InlineData(App, App)]
    [InlineData(Other, null)]
    public async Task Post_UpstreamAdmitsEveryOrigin_OnlyTheGatewaysAnswerCounts(string origin, string? allowed)
    {
        // api.openai.com answers with its own CORS headers; passed on, they would admit every origin.
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.Headers["Access-Control-Allow-Origin"] = "*";
            context.Response.Headers["Access-Control-Expose-Headers"] = "*";
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"object":"list","data":[]}""");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Cors:Origins:0"] = App });
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new("Bearer", "sk-cors");

        using var response = await gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(allowed, response.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) ? values.Single() : null);
        Assert.DoesNotContain("*", response.Headers.TryGetValues("Access-Control-Expose-Headers", out var exposed) ? exposed : []);
    }

    [Fact]
    public async Task Preflight_OriginAddedToAppsettings_AdmittedWithoutARestart()
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        using (var before = await gateway.Client.SendAsync(Preflight("v1/chat/completions", App, "authorization")))
        {
            Assert.False(before.Headers.Contains("Access-Control-Allow-Origin"));
        }

        var json = JsonNode.Parse(await File.ReadAllTextAsync(gateway.SettingsPath))!.AsObject();
        json["Gateway"]!["Cors"] = new JsonObject { ["Origins"] = new JsonArray(App) };
        await File.WriteAllTextAsync(gateway.SettingsPath, json.ToJsonString());

        await Eventually.UntilAsync(async () =>
        {
            using var after = await gateway.Client.SendAsync(Preflight("v1/chat/completions", App, "authorization"));
            return after.Headers.TryGetValues("Access-Control-Allow-Origin", out var values) && values.Single() == App;
        }, "the edited origin admitted");
    }

    private static Task<TestGateway> StartAsync(MockOpenAiServer upstream, string origin) =>
        TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Cors:Origins:0"] = origin });

    private static HttpRequestMessage Preflight(string path, string origin, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static HttpRequestMessage Chat(string body, string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("Origin", origin);
        request.Headers.Authorization = new("Bearer", "sk-cors");
        return request;
    }

    private static string Single(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    private static string[] List(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
            ? values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToArray()
            : [];
}
