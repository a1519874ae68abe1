using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.Configuration;

/// <summary>Hot reload: a bad edit is refused as a whole while the last good configuration keeps serving.</summary>
public sealed class ConfigGuardTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Reload_BadEditsDuringRequests_RefusedAsAWholeAndLastGoodServesUntilAGoodEdit()
    {
        using var first = StartUpstream("first");
        using var second = StartUpstream("second");
        await using var gateway = await TestGateway.StartAsync(new Uri(first.Url!));
        var guard = gateway.Services.GetRequiredService<ConfigGuard>();
        var gatewayOptions = gateway.Services.GetRequiredService<IOptionsMonitor<GatewayOptions>>();
        var maxRequestBytes = gatewayOptions.CurrentValue.MaxRequestBytes;
        Assert.Equal("first", await gateway.Client.GetStringAsync("v1/models"));

        using var stop = new CancellationTokenSource();
        var failures = new ConcurrentQueue<string>();
        var requests = 0;
        var load = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            // Bounded in count; the test stops it sooner once the edits are done.
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                using var models = await gateway.Client.GetAsync("v1/models");
                using var chat = await gateway.Client.SendAsync(ChatRequest());
                Interlocked.Add(ref requests, 2);
                if (models.StatusCode != HttpStatusCode.OK || chat.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{models.StatusCode} {await models.Content.ReadAsStringAsync()} / {chat.StatusCode} {await chat.Content.ReadAsStringAsync()}");
                }
            }
        })));

        // A bad edit of both sections: the Gateway part alone would be valid, yet it must not apply either.
        var refused = guard.RefusedReloads;
        EditSettings(gateway, json =>
        {
            json["ReverseProxy"]!["Clusters"]!["openai"]!["Destinations"]!["primary"]!["Address"] = second.Url;
            json["ReverseProxy"]!["Routes"]!["openai"]!["ClusterId"] = "opena";
            json["Gateway"]!["MaxRequestBytes"] = 4096;
        });
        await PollAsync(() => guard.RefusedReloads > refused);
        Assert.Contains(guard.LastRefusal, e => e.Contains("did you mean 'openai'?", StringComparison.Ordinal));
        Assert.Equal("first", await gateway.Client.GetStringAsync("v1/models"));
        Assert.Equal(maxRequestBytes, gatewayOptions.CurrentValue.MaxRequestBytes);

        // Not JSON at all (a half-saved file).
        await File.WriteAllTextAsync(gateway.SettingsPath, "{\"ReverseProxy\": {\"Routes\": ");
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(50);
            Assert.Equal("first", await gateway.Client.GetStringAsync("v1/models"));
        }

        Assert.Equal(maxRequestBytes, gatewayOptions.CurrentValue.MaxRequestBytes);

        // A good edit then applies, both sections together.
        EditSettings(gateway, json =>
        {
            json["ReverseProxy"]!["Clusters"]!["openai"]!["Destinations"]!["primary"]!["Address"] = second.Url;
            json["Gateway"]!["MaxRequestBytes"] = 4096;
        });
        await PollAsync(async () => await gateway.Client.GetStringAsync("v1/models") == "second");
        Assert.Equal(4096, gatewayOptions.CurrentValue.MaxRequestBytes);

        await stop.CancelAsync();
        await load;
        log.WriteLine($"{requests} requests during the edits, {failures.Count} failed; {guard.RefusedReloads} reloads refused, {guard.AcceptedReloads} applied.");
        Assert.Empty(failures);
    }

    private static WireMockServer StartUpstream(string name)
    {
        var server = WireMockServer.Start();
        server.Given(Request.Create().WithPath("/v1/models").UsingGet()).RespondWith(Response.Create().WithBody(name));
        server.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost()).RespondWith(Response.Create()
            .WithHeader("Content-Type", "application/json")
            .WithBody("{\"id\":\"chatcmpl-" + name + "\",\"object\":\"chat.completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"));
        return server;
    }

    private static HttpRequestMessage ChatRequest()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}", Encoding.UTF8, "application/json"),
        };
        request.Headers.CacheControl = new() { NoStore = true };
        return request;
    }

    private static void EditSettings(TestGateway gateway, Action<JsonObject> edit)
    {
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(TestGateway.RepositoryRoot, "appsettings.json")))!.AsObject();
        edit(json);
        File.WriteAllText(gateway.SettingsPath, json.ToJsonString());
    }

    private static Task PollAsync(Func<bool> done) => PollAsync(() => Task.FromResult(done()));

    private static async Task PollAsync(Func<Task<bool>> done)
    {
        // File watching is asynchronous: poll, bounded; running out is a failure, not a timing assertion.
        for (var attempt = 0; attempt < 300; attempt++)
        {
            if (await done())
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("The configuration change was not picked up.");
    }
}
