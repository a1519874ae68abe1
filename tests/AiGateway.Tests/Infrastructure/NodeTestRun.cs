using System.Diagnostics;
using System.Text;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// Runs one file of the Node tests under <c>tests/js/</c> (<c>node --test</c>) against a gateway this test started, and
/// gives back its exit code and output. Their packages come from <c>npm ci --prefix tests/js</c>, which ops/test.sh runs.
/// </summary>
public static class NodeTestRun
{
    /// <summary>The folder of the Node tests.</summary>
    public static string Folder => Path.Combine(TestGateway.RepositoryRoot, "tests", "js");

    /// <summary>Runs <paramref name="file"/> with <c>AIGW_GATEWAY_URL</c> set to <paramref name="gateway"/>'s root.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string file, TestGateway gateway)
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "openai")))
        {
            throw new InvalidOperationException($"The Node tests' packages are missing: run `npm ci --prefix tests/js` (ops/test.sh does) in {TestGateway.RepositoryRoot}.");
        }

        var start = new ProcessStartInfo("node", ["--test", "--test-reporter=spec", file])
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["AIGW_GATEWAY_URL"] = gateway.BaseAddress.ToString().TrimEnd('/');
        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start) ?? throw new InvalidOperationException("node could not be started: install Node.js 18 or later (ops/test.sh does).");
        var output = new StringBuilder();
        var stdout = PumpAsync(process.StandardOutput, output);
        var stderr = PumpAsync(process.StandardError, output);
        // Not a timing assertion: a guard so that a hung run ends the test (with its output) instead of the whole suite.
        using var hung = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(hung.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            output.AppendLine("(killed: the run did not end within 5 minutes)");
        }

        await Task.WhenAll(stdout, stderr);
        return (process.ExitCode, output.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder output)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }
}
