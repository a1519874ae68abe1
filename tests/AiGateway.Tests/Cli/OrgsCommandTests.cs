using System.Text.Json;
using AiGateway.Cli;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The <c>orgs show</c> and <c>orgs set</c> verbs on the embedded store.</summary>
public sealed class OrgsCommandTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-orgs-cli-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task Set_SomeOptions_OnlyThoseChangeAndShowPrintsThem()
    {
        var (setCode, _, setError) = await RunAsync("orgs", "set", "acme", "--mode-default", "auto", "--monthly-usd-budget", "50", "--hard-budget", "true");
        var (againCode, _, _) = await RunAsync("orgs", "set", "acme", "--monthly-token-budget", "1000000");
        var (showCode, output, _) = await RunAsync("orgs", "show", "acme");

        Assert.Equal((0, ""), (setCode, setError));
        Assert.Equal(0, againCode);
        Assert.Equal(0, showCode);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("auto", json.RootElement.GetProperty("mode_default").GetString());
        Assert.Equal(50m, json.RootElement.GetProperty("monthly_usd_budget").GetDecimal());
        Assert.Equal(1_000_000, json.RootElement.GetProperty("monthly_token_budget").GetInt64());
        Assert.True(json.RootElement.GetProperty("hard_budget").GetBoolean());
    }

    [Fact]
    public async Task Set_NoneValue_ClearsTheColumn()
    {
        await RunAsync("orgs", "set", "acme", "--mode-default", "cheap");
        var (code, output, _) = await RunAsync("orgs", "set", "acme", "--mode-default", "none");

        Assert.Equal(0, code);
        Assert.Contains("\"mode_default\": null", output);
    }

    [Fact]
    public async Task Set_BadValue_Exit1WithTheFieldsMessage()
    {
        var (code, _, error) = await RunAsync("orgs", "set", "acme", "--hard-budget", "maybe");

        Assert.Equal(1, code);
        Assert.Contains("hard_budget must be true or false", error);
    }

    [Fact]
    public async Task Set_UnknownOption_Exit2WithNearestOption()
    {
        var (code, _, error) = await RunAsync("orgs", "set", "acme", "--mode-defualt", "auto");

        Assert.Equal(2, code);
        Assert.Contains("did you mean '--mode-default'?", error);
    }

    [Fact]
    public async Task Set_WhileGatewayRuns_GatewayAppliesItWithoutRestart()
    {
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { RecordRequests = true });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);
        var org = new OrgCalls();

        var code = await GatewayCommandLine.RunAsync(
            ["orgs", "set", org.OrgId, "--mode-default", "smart", "--Gateway:DataDir", gateway.DataDir], TextWriter.Null, TextWriter.Null);
        await org.WaitForSettingsAsync(gateway, s => s.ModeDefault == "smart");
        using var response = await org.PostAsync(gateway, org.NextChat("gpt-4o-mini"));

        Assert.Equal(0, code);
        Assert.Equal("gpt-4o", OrgCalls.UpstreamModel(upstream));
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await GatewayCommandLine.RunAsync([.. args, "--Gateway:DataDir", _dataDir], output, error);
        return (code, output.ToString(), error.ToString());
    }
}
