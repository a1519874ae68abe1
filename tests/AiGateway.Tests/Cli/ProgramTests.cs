using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Cli;

/// <summary>The gateway's command line as a new user meets it: the real program, run as a process.</summary>
public sealed class ProgramTests
{
    [Fact]
    public async Task Main_Help_PrintsUsageAndExits0WithoutStartingTheServer()
    {
        var result = await GatewayProcess.RunAsync("--help");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode?.ToString() ?? "none: still running, killed"}; stderr: {result.Error}");
        Assert.Contains("keys", result.Output);
        Assert.Contains("validate", result.Output);
        Assert.Contains("Exit codes:", result.Output);
        Assert.DoesNotContain("Now listening", result.Output);
    }

    [Fact]
    public async Task Main_MistypedVerb_SaysDidYouMeanAndExitsNonZero()
    {
        var result = await GatewayProcess.RunAsync("kyes", "list");

        Assert.NotNull(result.ExitCode);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("unknown command 'kyes': did you mean 'keys'?", result.Error);
        Assert.DoesNotContain("Now listening", result.Output);
    }

    [Fact]
    public async Task Main_VerbHelp_PrintsTheVerbsUsageAndExits0()
    {
        var result = await GatewayProcess.RunAsync("keys", "create", "--help");

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode?.ToString() ?? "none: still running, killed"}; stderr: {result.Error}");
        Assert.Contains("--org", result.Output);
        Assert.Contains("--name", result.Output);
        Assert.Contains("Exit codes:", result.Output);
    }
}
