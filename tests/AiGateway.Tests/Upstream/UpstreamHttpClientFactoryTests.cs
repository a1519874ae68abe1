using System.Text;
using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Upstream;

/// <summary>
/// Kestrel reads a request header's bytes as UTF-8; the upstream client sent only ASCII and refused the rest, so a
/// header such as <c>If-None-Match: é</c> came back as 502 <c>upstream_unreachable</c> with a logged stack trace (found by
/// the fuzzing pass). It now goes upstream as the same UTF-8 bytes.
/// </summary>
public sealed class UpstreamHttpClientFactoryTests : IAsyncDisposable
{
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private TestGateway? _gateway;

    public UpstreamHttpClientFactoryTests()
    {
        _upstream.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
            .WithBody("{\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"));
    }

    [Theory]
    [InlineData("GET", "v1/models")]
    [InlineData("POST", "v1/chat/completions")]
    public async Task Forward_NonAsciiUtf8HeaderValue_ForwardedAsTheSameText(string method, string path)
    {
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 }) { BaseAddress = _gateway.BaseAddress };
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-client");
        request.Headers.TryAddWithoutValidation("x-app-note", "café ͻ");
        if (method == "POST")
        {
            request.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);

        Assert.True((int)response.StatusCode == 200, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var forwarded = Assert.Single(_upstream.LogEntries).RequestMessage.Headers!;
        Assert.Equal("café ͻ", forwarded["x-app-note"].Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _upstream.Stop();
    }
}
