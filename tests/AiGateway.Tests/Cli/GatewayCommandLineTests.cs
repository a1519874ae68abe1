using AiGateway.Cli;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The command line's verbs, help, mistakes and the hand-over of server options to the host.</summary>
public sealed class GatewayCommandLineTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("aigw-cli-").FullName;
    private readonly List<string[]> _serverRuns = [];

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Fact]
    public async Task RunAsync_ServerOptionsOnly_ServerGetsTheArgumentsUntouched()
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--Gateway:Auth:Mode=VirtualKeys", "--ConnectionStrings:Postgres=Host=db;Username=a", "urls2=x", "@file"];

        var (code, _, error) = await RunAsync(args);

        Assert.Equal((42, ""), (code, error));
        Assert.Equal(args, Assert.Single(_serverRuns));
    }

    [Fact]
    public async Task RunAsync_NoArguments_StartsTheServer()
    {
        var (code, _, _) = await RunAsync();

        Assert.Equal(42, code);
        Assert.Empty(Assert.Single(_serverRuns));
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("--urls", "http://127.0.0.1:0", "--help")]
    public async Task RunAsync_Help_UsageWithVerbsAndExitCodesNoServer(params string[] args)
    {
        var (code, output, _) = await RunAsync(args);

        Assert.Equal(0, code);
        Assert.Empty(_serverRuns);
        Assert.Contains("keys", output);
        Assert.Contains("orgs", output);
        Assert.Contains("validate", output);
        Assert.Contains("Exit codes:", output);
        Assert.Contains("bad usage", output);
    }

    [Theory]
    [InlineData("keys", "create")]
    [InlineData("keys create", "--name")]
    [InlineData("keys list", "hash prefix")]
    [InlineData("keys revoke", "--hash")]
    [InlineData("orgs", "set")]
    [InlineData("orgs show", "ORG")]
    [InlineData("orgs set", "--monthly-usd-budget")]
    [InlineData("validate", "--config")]
    public async Task RunAsync_VerbHelp_Exit0WithItsUsageAndExitCodes(string verb, string expected)
    {
        var (code, output, _) = await RunAsync([.. verb.Split(' '), "--help"]);

        Assert.Equal(0, code);
        Assert.Contains(expected, output);
        Assert.Contains("Exit codes:", output);
        Assert.Empty(_serverRuns);
    }

    [Theory]
    [InlineData("kyes", "unknown command 'kyes': did you mean 'keys'?")]
    [InlineData("valdate", "unknown command 'valdate': did you mean 'validate'?")]
    [InlineData("launch", "unknown command 'launch'.")]
    public async Task RunAsync_UnknownVerb_Exit2NamingTheNearestVerbNoServer(string verb, string expected)
    {
        var (code, _, error) = await RunAsync(verb, "list");

        Assert.Equal(2, code);
        Assert.Contains(expected, error);
        Assert.Empty(_serverRuns);
    }

    [Fact]
    public async Task RunAsync_UnknownSubVerb_Exit2NamingTheNearest()
    {
        var (code, _, error) = await RunAsync("keys", "lst");

        Assert.Equal(2, code);
        Assert.Contains("unknown command 'keys lst': did you mean 'keys list'?", error);
    }

    [Fact]
    public async Task RunAsync_VerbWithoutSubVerb_Exit2ListingThem()
    {
        var (code, _, error) = await RunAsync("orgs");

        Assert.Equal(2, code);
        Assert.Contains("show, set", error);
    }

    [Fact]
    public async Task RunAsync_KeysCreateWithoutName_Exit2SayingWhatIsMissing()
    {
        var (code, _, error) = await RunAsync("keys", "create", "--org", "acme", "--Gateway:DataDir", _dataDir);

        Assert.Equal(2, code);
        Assert.Contains("--name", error);
        Assert.Empty(Directory.GetFiles(_dataDir));
    }

    [Fact]
    public async Task RunAsync_KeysRevokeWithoutKeyOrHash_Exit2()
    {
        var (code, _, error) = await RunAsync("keys", "revoke", "--Gateway:DataDir", _dataDir);

        Assert.Equal(2, code);
        Assert.Contains("exactly one of --key KEY or --hash PREFIX", error);
    }

    [Fact]
    public async Task RunAsync_MistypedOptionOfAVerb_Exit2WithTheNearestOption()
    {
        var (code, _, error) = await RunAsync("keys", "create", "--org", "acme", "--nmae", "app", "--Gateway:DataDir", _dataDir);

        Assert.Equal(2, code);
        Assert.Contains("'--nmae' is not an option of 'keys create'; did you mean '--name'?", error);
    }

    [Fact]
    public async Task RunAsync_KeysCreateListRevoke_ConfigurationOptionsReachTheStore()
    {
        var (createCode, key, _) = await RunAsync("keys", "create", "--org", "acme", "--name", "app", "--Gateway:DataDir", _dataDir);
        var (listCode, list, _) = await RunAsync("keys", "list", $"--Gateway:DataDir={_dataDir}");
        var (revokeCode, revoked, _) = await RunAsync("keys", "revoke", "--key", key.Trim(), "--Gateway:DataDir", _dataDir);
        var (againCode, _, again) = await RunAsync("keys", "revoke", "--key", key.Trim(), "--Gateway:DataDir", _dataDir);

        Assert.Equal((0, 0, 0, 1), (createCode, listCode, revokeCode, againCode));
        Assert.StartsWith("aigw_", key);
        Assert.Contains("\tacme\tapp\t", list);
        Assert.Contains("revoked 1 key(s)", revoked);
        Assert.Contains("no active key matches", again);
    }

    private async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await GatewayCommandLine.RunAsync(args, output, error, serverArgs =>
        {
            _serverRuns.Add(serverArgs);
            return Task.FromResult(42);
        });
        return (code, output.ToString(), error.ToString());
    }
}
