using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Walls;

/// <summary>
/// The tenant wall in VirtualKeys mode (CONTRACT §10.9): with the gateway's shared upstream key an org reaches the AI
/// endpoints and the shared paths only; with its key's own credential (<c>upstream_key_env</c>) it reaches the rest, with
/// that credential.
/// </summary>
public sealed class TenantWallMiddlewareTests : IAsyncDisposable
{
    private const string SharedUpstreamKey = "sk-upstream-test";

    private static readonly (string Method, string Path)[] OtherOrgsObjects =
    [
        ("GET", "v1/files"),
        ("GET", "v1/files/file-abc123"),
        ("GET", "v1/files/file-abc123/content"),
        ("DELETE", "v1/files/file-abc123"),
        ("POST", "v1/files"),
        ("GET", "v1/batches"),
        ("GET", "v1/batches/batch_abc123"),
        ("POST", "v1/batches/batch_abc123/cancel"),
        ("GET", "v1/responses/resp_abc123"),
        ("DELETE", "v1/responses/resp_abc123"),
        ("GET", "v1/responses/resp_abc123/input_items"),
        ("GET", "v1/chat/completions"),
        ("GET", "v1/chat/completions/chatcmpl-abc123"),
        ("GET", "v1/vector_stores"),
        ("GET", "v1/models/gpt-4o/anything"),
    ];

    private readonly WireMockServer _upstream = WireMockServer.Start();
    private TestGateway? _gateway;

    public TenantWallMiddlewareTests()
    {
        _upstream.Given(Request.Create().UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json")
                .WithBody("{\"id\":\"chatcmpl-1\",\"object\":\"list\",\"data\":[],\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}"));
    }

    [Fact]
    public async Task SharedCredential_FilesBatchesStoredResponsesAndCompletions_403EndpointNotAllowedAndNeverForwarded()
    {
        var (gateway, admin) = await StartAsync();
        var orgA = await KeyAsync(admin, "org-a");

        foreach (var (method, path) in OtherOrgsObjects)
        {
            using var response = await gateway.SendAsAsync(method, path, orgA);

            await OpenAiErrorAssert.IsErrorAsync(response, 403, "endpoint_not_allowed");
        }

        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task SharedCredential_ModelsAndAiEndpoints_ForwardedWithTheSharedKey()
    {
        var (gateway, admin) = await StartAsync();
        var orgA = await KeyAsync(admin, "org-a");

        using var models = await gateway.SendAsAsync("GET", "v1/models", orgA);
        using var model = await gateway.SendAsAsync("GET", "v1/models/ft:gpt-4o-mini:acme::abc", orgA);
        using var chat = await gateway.SendAsAsync("POST", "v1/chat/completions", orgA,
            "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");

        Assert.Equal(200, (int)models.StatusCode);
        Assert.Equal(200, (int)model.StatusCode);
        Assert.Equal(200, (int)chat.StatusCode);
        Assert.Equal(3, _upstream.LogEntries.Count());
        Assert.All(_upstream.LogEntries, e => Assert.Equal("Bearer " + SharedUpstreamKey, e.RequestMessage.Headers!["Authorization"].Single()));
    }

    [Fact]
    public async Task OwnCredential_EachOrgReachesItsObjectsWithItsOwnUpstreamKey()
    {
        var variableA = "AIGW_TEST_UPSTREAM_A_" + Guid.NewGuid().ToString("N");
        var variableB = "AIGW_TEST_UPSTREAM_B_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variableA, "sk-proj-org-a");
        Environment.SetEnvironmentVariable(variableB, "sk-proj-org-b");
        try
        {
            var (gateway, admin) = await StartAsync();
            var orgA = await KeyAsync(admin, "org-a", variableA);
            var orgB = await KeyAsync(admin, "org-b", variableB);

            using var filesA = await gateway.SendAsAsync("GET", "v1/files", orgA);
            using var deleteB = await gateway.SendAsAsync("DELETE", "v1/responses/resp_abc123", orgB);
            using var chatA = await gateway.SendAsAsync("POST", "v1/chat/completions", orgA,
                "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + Guid.NewGuid() + "\"}]}");

            Assert.Equal(200, (int)filesA.StatusCode);
            Assert.Equal(200, (int)deleteB.StatusCode);
            Assert.Equal(200, (int)chatA.StatusCode);
            var seen = _upstream.LogEntries.Select(e => (e.RequestMessage.Method, e.RequestMessage.Path, Authorization: e.RequestMessage.Headers!["Authorization"].Single())).ToList();
            Assert.Contains(("GET", "/v1/files", "Bearer sk-proj-org-a"), seen);
            Assert.Contains(("DELETE", "/v1/responses/resp_abc123", "Bearer sk-proj-org-b"), seen);
            Assert.Contains(("POST", "/v1/chat/completions", "Bearer sk-proj-org-a"), seen);
            Assert.DoesNotContain(seen, s => s.Authorization.Contains(SharedUpstreamKey, StringComparison.Ordinal));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variableA, null);
            Environment.SetEnvironmentVariable(variableB, null);
        }
    }

    [Fact]
    public async Task OwnCredentialVariableUnset_FilesRefusedNotSentWithTheSharedKey()
    {
        var (gateway, admin) = await StartAsync();
        var orgA = await KeyAsync(admin, "org-a", "AIGW_TEST_UNSET_" + Guid.NewGuid().ToString("N"));

        using var files = await gateway.SendAsAsync("GET", "v1/files", orgA);

        await OpenAiErrorAssert.IsErrorAsync(files, 403, "endpoint_not_allowed");
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task SharedPathsConfigured_OnlyThoseShared()
    {
        var (gateway, admin) = await StartAsync(new Dictionary<string, string> { ["Gateway:Walls:SharedPaths:0"] = "/v1/files" });
        var orgA = await KeyAsync(admin, "org-a");

        using var files = await gateway.SendAsAsync("GET", "v1/files", orgA);
        using var models = await gateway.SendAsAsync("GET", "v1/models", orgA);

        Assert.Equal(200, (int)files.StatusCode);
        await OpenAiErrorAssert.IsErrorAsync(models, 403, "endpoint_not_allowed");
    }

    [Fact]
    public async Task Passthrough_NoWall()
    {
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!));

        using var files = await _gateway.SendAsAsync("GET", "v1/files", "sk-client-own-key");

        Assert.Equal(200, (int)files.StatusCode);
        Assert.Equal("Bearer sk-client-own-key", Assert.Single(_upstream.LogEntries).RequestMessage.Headers!["Authorization"].Single());
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        _upstream.Stop();
    }

    private async Task<(TestGateway Gateway, AdminClient Admin)> StartAsync(Dictionary<string, string>? extra = null)
    {
        var settings = AdminClient.Settings();
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!), settings);
        return (_gateway, new AdminClient(_gateway, AdminClient.AdminKey));
    }

    private static async Task<string> KeyAsync(AdminClient admin, string org, string? upstreamKeyEnv = null)
    {
        var env = upstreamKeyEnv is null ? "" : $",\"upstream_key_env\":\"{upstreamKeyEnv}\"";
        var answer = await admin.CreateKeyAsync($"{{\"org\":\"{org}\",\"name\":\"app-{Guid.NewGuid():N}\"{env}}}");
        return answer.GetProperty("key").GetString()!;
    }
}
