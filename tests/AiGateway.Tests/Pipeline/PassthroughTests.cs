using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using AiGateway.Tests.Infrastructure;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;
using Xunit;

namespace AiGateway.Tests.Pipeline;

public sealed class PassthroughTests : IAsyncLifetime
{
    private WireMockServer _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = WireMockServer.Start();
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        _upstream.Stop();
    }

    [Fact]
    public async Task GetModels_NotUnderstood_ForwardsRequestAndResponseUnchanged()
    {
        const string body = "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\",\"object\":\"model\"}] , \"x_new_field\": 1}";
        _upstream.Given(Request.Create().WithPath("/v1/models").UsingGet())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithHeader("x-request-id", "req_123").WithHeader("openai-processing-ms", "17").WithBody(body));

        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models?limit=3&after=abc");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-client-key");
        request.Headers.Add("OpenAI-Beta", "assistants=v2");
        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("req_123", response.Headers.GetValues("x-request-id").Single());
        Assert.Equal("17", response.Headers.GetValues("openai-processing-ms").Single());
        var received = Assert.Single(_upstream.LogEntries).RequestMessage;
        Assert.Equal("/v1/models", received.Path);
        Assert.Equal("?limit=3&after=abc", new Uri(received.Url).Query);
        Assert.Equal("Bearer sk-client-key", received.Headers!["Authorization"].Single());
        Assert.Equal("assistants=v2", received.Headers!["OpenAI-Beta"].Single());
        Assert.False(received.Headers!.ContainsKey("X-Forwarded-For"));
    }

    [Fact]
    public async Task PostFiles_Multipart100MB_ArrivesUpstreamByteForByte()
    {
        _upstream.Given(Request.Create().WithPath("/v1/files").UsingPost())
            .RespondWith(Response.Create().WithCallback(request => new ResponseMessage
            {
                StatusCode = 200,
                BodyData = new BodyData
                {
                    DetectedBodyType = BodyType.String,
                    BodyAsString = Convert.ToHexString(SHA256.HashData(request.BodyAsBytes!)) + " " + request.Headers!["Content-Type"].Single(),
                },
            }));

        var file = new byte[100 * 1024 * 1024];
        new Random(42).NextBytes(file);
        using var content = new MultipartFormDataContent("boundary-aigw-test")
        {
            { new StringContent("fine-tune"), "purpose" },
            { new ByteArrayContent(file), "file", "train.jsonl" },
        };
        var sent = await content.ReadAsByteArrayAsync();

        using var response = await _gateway.Client.PostAsync("v1/files", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echoed = (await response.Content.ReadAsStringAsync()).Split(' ', 2);
        Assert.Equal(Convert.ToHexString(SHA256.HashData(sent)), echoed[0]);
        Assert.Equal("multipart/form-data; boundary=\"boundary-aigw-test\"", echoed[1]);
    }

    [Theory]
    [InlineData(429, "rate_limit_exceeded")]
    [InlineData(500, "server_error")]
    [InlineData(400, "invalid_request_error")]
    public async Task ChatCompletion_UpstreamErrorStatus_PassedThroughUnchanged(int status, string code)
    {
        var body = $"{{\"error\":{{\"message\":\"upstream says no\",\"type\":\"{code}\",\"param\":null,\"code\":\"{code}\"}}}}";
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json")
                .WithHeader("Retry-After", "7").WithBody(body));

        using var response = await _gateway.Client.PostAsync("v1/chat/completions",
            new StringContent("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(body, await response.Content.ReadAsStringAsync());
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task ChatCompletion_Json_BodyForwardedUntouchedWithUnknownFields()
    {
        const string reply = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1,\"total_tokens\":4}}";
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(reply));
        const string body = "{ \"model\": \"gpt-4o-mini\", \"messages\": [{\"role\":\"user\",\"content\":\"h\\u00e9llo <b>\"}], \"temperature\": 1.0e0, \"brand_new_field\": {\"x\": [1, 2]} }";

        using var response = await _gateway.Client.PostAsync("v1/chat/completions", new StringContent(body, null, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(reply, await response.Content.ReadAsStringAsync());
        Assert.Equal(body, Assert.Single(_upstream.LogEntries).RequestMessage.Body);
    }

    [Fact]
    public async Task Request_GatewayHeaders_StrippedBeforeUpstream()
    {
        _upstream.Given(Request.Create().WithPath("/v1/chat/completions").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"m\"}", null, "application/json"),
        };
        request.Headers.Add("x-aigw-route", "dominus.analyze");
        request.Headers.Add("x-aigw-mode", "cheap");
        request.Headers.Add("X-AIGW-Cache-TTL", "60");
        request.Headers.Add("x-app-trace", "kept");

        using var response = await _gateway.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = Assert.Single(_upstream.LogEntries).RequestMessage.Headers!;
        Assert.DoesNotContain(headers.Keys, key => key.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("kept", headers["x-app-trace"].Single());
    }
}
