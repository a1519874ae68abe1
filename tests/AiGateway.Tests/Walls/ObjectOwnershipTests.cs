using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using Xunit;

namespace AiGateway.Tests.Walls;

/// <summary>
/// Objects created through the gateway on the shared upstream account belong to the org that created them (CONTRACT
/// §10.9): another org that names one, in the path or in the body, gets 404 <c>not_found</c> before anything goes upstream.
/// </summary>
public sealed class ObjectOwnershipTests : IAsyncDisposable
{
    private readonly WireMockServer _upstream = WireMockServer.Start();
    private TestServices.TempDatabase? _database;
    private TestGateway? _gateway;

    public ObjectOwnershipTests()
    {
        _upstream.Given(Request.Create().WithPath("/v1/responses").UsingPost().WithBody(b => b != null && !b.Contains("\"stream\":true", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithCallback(_ => new WireMock.ResponseMessage
            {
                StatusCode = 200,
                Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("application/json") },
                BodyData = new WireMock.Util.BodyData
                {
                    BodyAsString = "{\"id\":\"resp_" + Guid.NewGuid().ToString("N") + "\",\"object\":\"response\",\"output\":[],\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}",
                    DetectedBodyType = WireMock.Types.BodyType.String,
                },
            }));
        _upstream.Given(Request.Create().WithPath("/v1/responses").UsingPost().WithBody(b => b != null && b.Contains("\"stream\":true", StringComparison.Ordinal)))
            .RespondWith(Response.Create().WithCallback(_ =>
            {
                var id = "resp_" + Guid.NewGuid().ToString("N");
                return new WireMock.ResponseMessage
                {
                    StatusCode = 200,
                    Headers = new Dictionary<string, WireMock.Types.WireMockList<string>> { ["Content-Type"] = new("text/event-stream") },
                    BodyData = new WireMock.Util.BodyData
                    {
                        BodyAsString = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"" + id + "\"}}\n\n"
                            + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"" + id
                            + "\",\"usage\":{\"input_tokens\":1,\"output_tokens\":1,\"total_tokens\":2}}}\n\n",
                        DetectedBodyType = WireMock.Types.BodyType.String,
                    },
                };
            }));
        _upstream.Given(Request.Create().WithPath(new WireMock.Matchers.WildcardMatcher("/v1/responses/*")).UsingAnyMethod())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody("{\"object\":\"response\"}"));
    }

    [Theory]
    [InlineData("sqlite", false)]
    [InlineData("sqlite", true)]
    [InlineData("postgres", false)]
    public async Task OtherOrg_NamesAStoredResponse_404NotFoundAndNeverForwarded(string store, bool stream)
    {
        var (gateway, orgA, orgB) = await StartAsync(store);
        var created = await CreateResponseAsync(gateway, orgA, stream);
        var before = _upstream.LogEntries.Count();

        using var previous = await gateway.SendAsAsync("POST", "v1/responses", orgB, $$"""{"model":"gpt-4o-mini","input":"go on","previous_response_id":"{{created}}"}""");
        using var read = await gateway.SendAsAsync("GET", $"v1/responses/{created}", orgB);
        using var delete = await gateway.SendAsAsync("DELETE", $"v1/responses/{created}", orgB);
        using var items = await gateway.SendAsAsync("GET", $"v1/responses/{created}/input_items", orgB);

        await OpenAiErrorAssert.IsErrorAsync(previous, 404, "not_found");
        await OpenAiErrorAssert.IsErrorAsync(read, 404, "not_found");
        await OpenAiErrorAssert.IsErrorAsync(delete, 404, "not_found");
        await OpenAiErrorAssert.IsErrorAsync(items, 404, "not_found");
        Assert.Equal(before, _upstream.LogEntries.Count());
    }

    [Fact]
    public async Task Owner_NamesItsStoredResponse_ReachesItWithTheSharedKey()
    {
        var (gateway, orgA, _) = await StartAsync("sqlite");
        var created = await CreateResponseAsync(gateway, orgA, stream: false);

        using var previous = await gateway.SendAsAsync("POST", "v1/responses", orgA, $$"""{"model":"gpt-4o-mini","input":"go on","previous_response_id":"{{created}}"}""");
        using var read = await gateway.SendAsAsync("GET", $"v1/responses/{created}", orgA);
        using var delete = await gateway.SendAsAsync("DELETE", $"v1/responses/{created}", orgA);

        Assert.Equal(200, (int)previous.StatusCode);
        Assert.Equal(200, (int)read.StatusCode);
        Assert.Equal(200, (int)delete.StatusCode);
        Assert.Contains(_upstream.LogEntries, e => e.RequestMessage.Method == "DELETE" && e.RequestMessage.Path == $"/v1/responses/{created}");
    }

    [Theory]
    [InlineData("""{"model":"gpt-4o-mini","input":"hi","previous_response_id":"resp_made_elsewhere"}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":"hi","conversation":"conv_abc123"}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":"hi","conversation":{"id":"conv_abc123"}}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":[{"role":"user","content":[{"type":"input_file","file_id":"file-abc123"}]}]}""")]
    [InlineData("""{"model":"gpt-4o-mini","input":"hi","tools":[{"type":"code_interpreter","container":{"type":"auto","input_file_id":"file-abc123"}}]}""")]
    public async Task SharedKey_NamesAnObjectTheGatewayNeverRecorded_404NotFound(string body)
    {
        var (gateway, orgA, _) = await StartAsync("sqlite");

        using var response = await gateway.SendAsAsync("POST", "v1/responses", orgA, body);

        await OpenAiErrorAssert.IsErrorAsync(response, 404, "not_found");
        Assert.Empty(_upstream.LogEntries);
    }

    [Fact]
    public async Task ChatFileReference_OtherOrgsOrUnknownFile_404()
    {
        var (gateway, orgA, _) = await StartAsync("sqlite");

        using var response = await gateway.SendAsAsync("POST", "v1/chat/completions", orgA,
            """{"model":"gpt-4o-mini","messages":[{"role":"user","content":[{"type":"file","file":{"file_id":"file-abc123"}}]}]}""");

        await OpenAiErrorAssert.IsErrorAsync(response, 404, "not_found");
        Assert.Empty(_upstream.LogEntries);
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        _upstream.Stop();
    }

    private async Task<(TestGateway Gateway, string OrgA, string OrgB)> StartAsync(string store)
    {
        _database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        _gateway = await TestGateway.StartAsync(new Uri(_upstream.Url!), AdminClient.Settings(_database?.ConnectionString));
        var admin = new AdminClient(_gateway, AdminClient.AdminKey);
        var a = await admin.CreateKeyAsync("""{"org":"org-a","name":"app"}""");
        var b = await admin.CreateKeyAsync("""{"org":"org-b","name":"app"}""");
        return (_gateway, a.GetProperty("key").GetString()!, b.GetProperty("key").GetString()!);
    }

    private static async Task<string> CreateResponseAsync(TestGateway gateway, string key, bool stream)
    {
        using var created = await gateway.SendAsAsync("POST", "v1/responses", key,
            $$"""{"model":"gpt-4o-mini","input":"{{Guid.NewGuid()}}","stream":{{(stream ? "true" : "false")}}}""");
        var text = await created.Content.ReadAsStringAsync();
        Assert.True((int)created.StatusCode == 200, text);
        if (!stream)
        {
            return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        }

        var data = text.Split('\n').First(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
        return JsonDocument.Parse(data).RootElement.GetProperty("response").GetProperty("id").GetString()!;
    }
}
