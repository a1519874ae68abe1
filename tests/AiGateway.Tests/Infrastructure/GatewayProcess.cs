using System.Diagnostics;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// Runs the built gateway (<c>dotnet AiGateway.dll …</c>) as a user would, in a scratch working directory, and waits
/// for it to exit. A process still running after the patience bound is killed and reported as not having exited: that
/// is the failure a verb that starts the server by mistake shows.
/// </summary>
public static class GatewayProcess
{
    // A bound on waiting, not a timing assertion: a verb exits in a few seconds even on a starved machine.
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>The exit code (null when it had to be killed), standard output and standard error.</summary>
    public sealed record Result(int? ExitCode, string Output, string Error);

    /// <summary>Runs the gateway with <paramref name="args"/>.</summary>
    public static async Task<Result> RunAsync(params string[] args)
    {
        var workingDirectory = Directory.CreateTempSubdirectory("aigw-process-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AiGateway.dll"));
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }

            // A server started by mistake must not take a developer's port: any port will do for it.
            start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
            start.Environment["Gateway__DataDir"] = Path.Combine(workingDirectory, "data");
            using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var patience = new CancellationTokenSource(Patience);
            try
            {
                await process.WaitForExitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                return new Result(null, await output, await error);
            }

            return new Result(process.ExitCode, await output, await error);
        }
        finally
        {
            Directory.Delete(workingDirectory, recursive: true);
        }
    }
}
