using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Gateway;

/// <summary>
/// A <c>Host</c> with a malformed punycode label (<c>xn--</c>) passes Kestrel but throws from <c>HttpRequest.Host</c>:
/// found by the fuzzing pass, it was a 500 with a stack trace on the operator routes and a 502 on every proxied path.
/// </summary>
public sealed class HostHeaderGuardTests : IAsyncDisposable
{
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private TestGateway? _gateway;

    public HostHeaderGuardTests()
    {
        _upstream.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{\"object\":\"list\",\"data\":[]}"));
    }

    [Theory]
    [InlineData("GET", "v1/models", "xn--")]
    [InlineData("GET", "v1/models", "www.xn--.example:8080")]
    [InlineData("POST", "v1/chat/completions", "xn--zz")]
    [InlineData("GET", "api/keys", "xn--")]
    [InlineData("GET", "metrics", "xn--")]
    [InlineData("GET", "dev/ai-metrics", "xn--")]
    public async Task Request_MalformedPunycodeHost_400InvalidHeaderAndNothingUpstream(string method, string path, string host)
    {
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.TryAddWithoutValidation("Host", host);
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-client");
        if (method == "POST")
        {
            request.Content = new StringContent("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}""", System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await _gateway.Client.SendAsync(request);

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_header");
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task Request_ValidPunycodeHost_Proxied()
    {
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.TryAddWithoutValidation("Host", "xn--bcher-kva.example");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer sk-client");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Single(_upstream.LogEntries);
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
