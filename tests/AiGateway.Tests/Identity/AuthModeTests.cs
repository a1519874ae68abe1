using System.Net;
using System.Net.Http.Headers;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Identity;

public sealed class AuthModeTests : IDisposable
{
    private const string UpstreamKey = "sk-upstream-secret";
    private readonly WireMockServer _upstream = WireMockServer.Start();

    public AuthModeTests()
    {
        _upstream.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{}"));
    }

    public void Dispose() => _upstream.Stop();

    [Fact]
    public async Task Passthrough_ClientKey_GoesUpstreamUnchanged()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));

        using var response = await SendAsync(gateway, "sk-client-own-key", withOrgHeaders: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = Assert.Single(_upstream.LogEntries).RequestMessage.Headers!;
        Assert.Equal("Bearer sk-client-own-key", headers["Authorization"].Single());
        Assert.Equal("org-client", headers["OpenAI-Organization"].Single());
    }

    [Fact]
    public async Task Passthrough_KeyOver4096Bytes_401InvalidApiKeyAndNeverForwarded()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));

        using var tooLong = await SendAsync(gateway, "sk-" + new string('k', 4094));
        using var longest = await SendAsync(gateway, "sk-" + new string('k', 4093));

        await Infrastructure.OpenAiErrorAssert.IsErrorAsync(tooLong, 401, "invalid_api_key");
        Assert.Equal(HttpStatusCode.OK, longest.StatusCode);
        Assert.Single(_upstream.LogEntries);
    }

    [Fact]
    public async Task VirtualKeys_EmbeddedStore_KeyLifecycle()
    {
        await using var gateway = await StartVirtualKeysGatewayAsync();
        await VirtualKeyLifecycleAsync(gateway, $"--Gateway:DataDir={gateway.DataDir}");
    }

    [Fact]
    public async Task VirtualKeys_Postgres_KeyLifecycle()
    {
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartVirtualKeysGatewayAsync(database.ConnectionString);
        await VirtualKeyLifecycleAsync(gateway, $"--ConnectionStrings:Postgres={database.ConnectionString}");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("sk-a-real-openai-key")]
    [InlineData("aigw_never-issued")]
    public async Task VirtualKeys_UnknownOrMissingKey_401InvalidApiKey(string? key)
    {
        await using var gateway = await StartVirtualKeysGatewayAsync();

        using var chat = await SendAsync(gateway, key);
        using var models = await gateway.Client.SendAsync(WithKey(new HttpRequestMessage(HttpMethod.Get, "v1/models"), key));

        await OpenAiErrorAssert.IsErrorAsync(chat, 401, "invalid_api_key");
        await OpenAiErrorAssert.IsErrorAsync(models, 401, "invalid_api_key");
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task VirtualKeys_ManyRefusedPostsOnOneConnection_EachGets401NotAReset()
    {
        await using var gateway = await StartVirtualKeysGatewayAsync();
        var body = "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + new string('x', 20_000) + "\"}]}";

        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "aigw_unknown");
            using var response = await gateway.Client.SendAsync(request);
            await OpenAiErrorAssert.IsErrorAsync(response, 401, "invalid_api_key");
        }
    }

    private async Task VirtualKeyLifecycleAsync(TestGateway gateway, string storeArg)
    {
        var key = (await RunCliAsync(0, "keys", "create", "--org", "acme", "--name", "billing-app", storeArg)).Trim();
        Assert.StartsWith("aigw_", key);

        using (var ok = await SendAsync(gateway, key, withOrgHeaders: true))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        var headers = Assert.Single(_upstream.LogEntries).RequestMessage.Headers!;
        Assert.Equal($"Bearer {UpstreamKey}", headers["Authorization"].Single());
        Assert.DoesNotContain(headers, h => h.Value.Any(v => v.Contains(key, StringComparison.Ordinal)));
        Assert.False(headers.ContainsKey("OpenAI-Organization"));

        var list = await RunCliAsync(0, "keys", "list", storeArg);
        Assert.Contains("acme\tbilling-app", list);
        Assert.DoesNotContain(key, list);

        Assert.Contains("revoked 1", await RunCliAsync(0, "keys", "revoke", "--key", key, storeArg));
        using var revoked = await SendAsync(gateway, key);
        await OpenAiErrorAssert.IsErrorAsync(revoked, 401, "invalid_api_key");
        Assert.Single(_upstream.LogEntries);
    }

    private async Task<TestGateway> StartVirtualKeysGatewayAsync(string? postgres = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = UpstreamKey,
            // Revocation must show on the very next request in this test.
            ["Gateway:Auth:KeyCacheSeconds"] = "0",
        };
        if (postgres is not null)
        {
            settings["ConnectionStrings:Postgres"] = postgres;
        }

        return await TestGateway.StartAsync(new Uri(_upstream.Url!), settings);
    }

    private static async Task<string> RunCliAsync(int expectedExitCode, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exitCode = await GatewayCommandLine.RunAsync(args, output, error);
        Assert.True(expectedExitCode == exitCode, $"exit {exitCode}: {error}");
        return output.ToString();
    }

    private static Task<HttpResponseMessage> SendAsync(TestGateway gateway, string? key, bool withOrgHeaders = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("{\"model\":\"gpt-4o-mini\",\"messages\":[]}", null, "application/json"),
        };
        if (withOrgHeaders)
        {
            request.Headers.Add("OpenAI-Organization", "org-client");
        }

        return gateway.Client.SendAsync(WithKey(request, key));
    }

    private static HttpRequestMessage WithKey(HttpRequestMessage request, string? key)
    {
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
