using System.Text.Json.Nodes;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Modes;

/// <summary>Mode selection end to end: which model the upstream receives, and what the response says about it.</summary>
public sealed class ModeMiddlewareTests : IAsyncLifetime
{
    private MockOpenAiServer _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        _gateway = await TestGateway.StartAsync(_upstream.BaseAddress, editSettings: json =>
        {
            json["Gateway"]!["Routes"] = new JsonObject
            {
                ["summaries"] = new JsonObject { ["Mode"] = "cheap" },
                ["analysis"] = new JsonObject { ["Mode"] = "smart" },
            };
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task Post_ModeHeader_UpstreamGetsTheModesModel()
    {
        var org = new OrgCalls();

        using var response = await org.PostAsync(_gateway, org.NextChat("gpt-4o-mini"), ("x-aigw-mode", "smart"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("gpt-4o", OrgCalls.UpstreamModel(_upstream));
        Assert.Equal("gpt-4o", OrgCalls.Header(response, "x-aigw-model"));
        Assert.Equal("smart", OrgCalls.Header(response, "x-aigw-mode"));
        Assert.DoesNotContain(_upstream.Requests[^1].Headers.Keys, name => name.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Post_HeaderRouteAndOrgDefault_HeaderWinsThenRouteThenOrg()
    {
        var org = new OrgCalls();
        await org.PutSettingsAsync(_gateway, """{"mode_default":"smart"}""");

        using var byHeader = await org.PostAsync(_gateway, org.NextChat("gpt-4o"), ("x-aigw-mode", "cheap"), ("x-aigw-route", "analysis"));
        var headerModel = OrgCalls.UpstreamModel(_upstream);
        using var byRoute = await org.PostAsync(_gateway, org.NextChat("gpt-4o"), ("x-aigw-route", "summaries"));
        var routeModel = OrgCalls.UpstreamModel(_upstream);
        using var byOrg = await org.PostAsync(_gateway, org.NextChat("gpt-4o-mini"), ("x-aigw-route", "no-such-route"));
        var orgModel = OrgCalls.UpstreamModel(_upstream);

        Assert.Equal(("gpt-4o-mini", "cheap"), (headerModel, OrgCalls.Header(byHeader, "x-aigw-mode")));
        Assert.Equal(("gpt-4o-mini", "cheap"), (routeModel, OrgCalls.Header(byRoute, "x-aigw-mode")));
        Assert.Equal(("gpt-4o", "smart"), (orgModel, OrgCalls.Header(byOrg, "x-aigw-mode")));
    }

    [Fact]
    public async Task Post_NoModeAnywhere_ModelPassesUnchanged()
    {
        var org = new OrgCalls();
        var body = org.NextChat("gpt-4.1-nano");

        using var response = await org.PostAsync(_gateway, body);

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(body, System.Text.Encoding.UTF8.GetString(_upstream.Requests[^1].Body));
        Assert.Equal("gpt-4.1-nano", OrgCalls.Header(response, "x-aigw-model"));
        Assert.Null(OrgCalls.Header(response, "x-aigw-mode"));
    }

    [Fact]
    public async Task Post_ClientModeOverrideFalse_HeaderIgnoredForOrgDefault()
    {
        var org = new OrgCalls();
        await org.PutSettingsAsync(_gateway, """{"mode_default":"cheap","client_mode_override":false}""");

        using var response = await org.PostAsync(_gateway, org.NextChat("gpt-4o"), ("x-aigw-mode", "smart"));

        Assert.Equal("gpt-4o-mini", OrgCalls.UpstreamModel(_upstream));
        Assert.Equal("cheap", OrgCalls.Header(response, "x-aigw-mode"));
    }

    [Fact]
    public async Task Post_ClientModeOverrideFalseAndRoute_RouteStillApplies()
    {
        var org = new OrgCalls();
        await org.PutSettingsAsync(_gateway, """{"client_mode_override":false}""");

        using var response = await org.PostAsync(_gateway, org.NextChat("gpt-4o-mini"), ("x-aigw-mode", "cheap"), ("x-aigw-route", "analysis"));

        Assert.Equal("gpt-4o", OrgCalls.UpstreamModel(_upstream));
        Assert.Equal("smart", OrgCalls.Header(response, "x-aigw-mode"));
    }

    [Fact]
    public async Task Post_UnknownModeHeader_400InOpenAiShapeWithoutUpstreamCall()
    {
        var org = new OrgCalls();
        var before = _upstream.RequestCount;

        using var response = await org.PostAsync(_gateway, org.NextChat(), ("x-aigw-mode", "chep"));

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "invalid_mode");
        Assert.Contains("did you mean 'cheap'?", await response.Content.ReadAsStringAsync());
        Assert.Equal(before, _upstream.RequestCount);
    }

    [Fact]
    public async Task Post_ModeRewrittenAndExplicitModel_ShareOneCacheEntry()
    {
        var org = new OrgCalls();
        const string Rewritten = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"one entry"}]}""";
        const string Explicit = """{"messages":[{"role":"user","content":"one entry"}],"model":"gpt-4o"}""";

        using var first = await org.PostAsync(_gateway, Rewritten, ("x-aigw-mode", "smart"));
        var calls = _upstream.RequestCount;
        using var second = await org.PostAsync(_gateway, Explicit);

        Assert.Equal("miss", OrgCalls.Header(first, "x-aigw-cache"));
        Assert.Equal("hit", OrgCalls.Header(second, "x-aigw-cache"));
        Assert.Equal(calls, _upstream.RequestCount);
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_ModeOnAStream_UpstreamStreamsTheModesModel()
    {
        var org = new OrgCalls();

        using var response = await org.PostAsync(_gateway, org.NextChat("gpt-4o", stream: true), ("x-aigw-mode", "cheap"));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Contains("data: [DONE]", text);
        Assert.Contains("\"model\":\"gpt-4o-mini\"", text);
        Assert.Equal("gpt-4o-mini", OrgCalls.UpstreamModel(_upstream));
        Assert.Equal("cheap", OrgCalls.Header(response, "x-aigw-mode"));
    }

    [Fact]
    public async Task Post_RewrittenBody_KeepsEveryOtherByte()
    {
        var org = new OrgCalls();
        const string Body = "{ \"messages\" : [{\"role\":\"user\",\"content\":\"caf\\u00e9 \u00e9t\u00e9\"}], \"model\" : \"gpt-4o\", \"temperature\":1.0, \"x_new_field\":{\"a\":[1,2]} }";

        using var response = await org.PostAsync(_gateway, Body, ("x-aigw-mode", "cheap"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(Body.Replace("\"gpt-4o\"", "\"gpt-4o-mini\""), System.Text.Encoding.UTF8.GetString(_upstream.Requests[^1].Body));
    }

    [Fact]
    public async Task Post_EmbeddingsWithMode_ModelNotRewritten()
    {
        var org = new OrgCalls();

        using var response = await org.PostAsync(_gateway, "v1/embeddings", """{"model":"text-embedding-3-small","input":"hello"}""", ("x-aigw-mode", "smart"));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("text-embedding-3-small", OrgCalls.UpstreamModel(_upstream));
        Assert.Null(OrgCalls.Header(response, "x-aigw-mode"));
    }

    [Fact]
    public async Task Post_ModeApplied_LogRowHasModeAndModels()
    {
        var org = new OrgCalls();

        using var response = await org.PostAsync(_gateway, org.NextChat("gpt-4o-mini"), ("x-aigw-mode", "smart"));
        await response.Content.ReadAsStringAsync();

        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(_gateway.DataDir, "aigateway.db")}");
        await connection.OpenAsync();
        string? row = null;
        await Eventually.UntilAsync(async () =>
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT mode || '|' || model_requested || '|' || model_used FROM ai_performance_logs WHERE org_id = $org";
            command.Parameters.AddWithValue("$org", org.OrgId);
            row = (string?)await command.ExecuteScalarAsync();
            return row is not null;
        }, "the call's log row");
        Assert.Equal("smart|gpt-4o-mini|gpt-4o", row);
    }
}
