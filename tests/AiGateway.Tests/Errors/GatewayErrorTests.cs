using System.Net.Sockets;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Errors;

public sealed class GatewayErrorTests
{
    [Theory]
    [InlineData("{\"model\": \"gpt-4o-mini\", ")]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    public async Task ChatCompletion_UnparsableJson_400AndNeverForwarded(string body)
    {
        using var upstream = WireMockServer.Start();
        await using var gateway = await TestGateway.StartAsync(new Uri(upstream.Url!));

        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent(body, null, "application/json"));

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_json");
        Assert.Empty(upstream.LogEntries);
    }

    [Fact]
    public async Task ChatCompletion_BodyOverMaxRequestBytes_413AndNeverForwarded()
    {
        using var upstream = WireMockServer.Start();
        await using var gateway = await TestGateway.StartAsync(new Uri(upstream.Url!), new Dictionary<string, string> { ["Gateway:MaxRequestBytes"] = "2048" });
        var body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 4096) + "\"}]}";

        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent(body, null, "application/json"));

        await OpenAiErrorAssert.IsErrorAsync(response, 413, "request_too_large");
        Assert.Empty(upstream.LogEntries);
    }

    [Fact]
    public async Task ChatCompletion_ChunkedBodyOverMaxRequestBytes_413()
    {
        using var upstream = WireMockServer.Start();
        await using var gateway = await TestGateway.StartAsync(new Uri(upstream.Url!), new Dictionary<string, string> { ["Gateway:MaxRequestBytes"] = "2048" });
        var body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('a', 100_000) + "\"}]}";
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(body)));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 413, "request_too_large");
        Assert.Empty(upstream.LogEntries);
    }

    [Fact]
    public async Task ChatCompletion_UpstreamUnreachable_502InOpenAiShape()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri($"http://127.0.0.1:{ClosedPort()}"));

        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent("{\"model\":\"m\"}", null, "application/json"));

        await OpenAiErrorAssert.IsErrorAsync(response, 502, "upstream_unreachable");
    }

    [Fact]
    public async Task Passthrough_UpstreamUnreachable_502InOpenAiShape()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri($"http://127.0.0.1:{ClosedPort()}"));

        using var response = await gateway.Client.GetAsync("v1/models");

        await OpenAiErrorAssert.IsErrorAsync(response, 502, "upstream_unreachable");
    }

    [Fact]
    public async Task ChatCompletion_UpstreamStallsPastActivityTimeout_504InOpenAiShape()
    {
        var release = new TaskCompletionSource();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            await Task.WhenAny(release.Task, Task.Delay(Timeout.Infinite, context.RequestAborted));
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress,
            editSettings: json => json["ReverseProxy"]!["Clusters"]!["openai"]!["HttpRequest"]!["ActivityTimeout"] = "00:00:01");

        using var response = await gateway.Client.PostAsync("v1/chat/completions", new StringContent("{\"model\":\"m\"}", null, "application/json"));
        release.SetResult();

        await OpenAiErrorAssert.IsErrorAsync(response, StatusCodes.Status504GatewayTimeout, "upstream_timeout");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
