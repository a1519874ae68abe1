using System.Diagnostics;
using System.Net;
using System.Text;

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

    /// <summary>
    /// Starts the built gateway as a server (<c>dotnet AiGateway.dll --urls … ARGS</c>) on a free loopback port, with
    /// <paramref name="environment"/> added to its own; every line it writes goes to <paramref name="output"/> when given.
    /// Returns once <c>/readyz</c> answers 200.
    /// </summary>
    public static async Task<Server> StartServerAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, StringBuilder? output = null)
    {
        var port = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "AiGateway.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, line) => Append(output, line.Data);
        process.ErrorDataReceived += (_, line) => Append(output, line.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new Server(process, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(60) });
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (process.HasExited)
                {
                    throw new InvalidOperationException($"the gateway process exited while starting:\n{output}");
                }

                try
                {
                    using var ready = await server.Client.GetAsync("readyz");
                    return ready.StatusCode == HttpStatusCode.OK;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
            }, "the gateway process answers /readyz");
        }
        catch
        {
            server.Dispose();
            throw;
        }

        return server;
    }

    /// <summary>A gateway started by <see cref="StartServerAsync"/>, and a client of it; disposing kills it if it still runs.</summary>
    public sealed record Server(Process Process, HttpClient Client) : IDisposable
    {
        /// <summary>SIGTERM, as an orchestrator stops it: the host shuts down; returns its exit code.</summary>
        public async Task<int> StopAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill!.WaitForExitAsync();
            }

            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await Process.WaitForExitAsync(patience.Token);
            return Process.ExitCode;
        }

        /// <summary>SIGKILL (<c>kill -9</c>): the process ends at once, with nothing written out.</summary>
        public async Task KillAsync()
        {
            Process.Kill();
            await Process.WaitForExitAsync();
        }

        /// <inheritdoc/>
        public void Dispose()
        {
            Client.Dispose();
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }
    }

    private static void Append(StringBuilder? output, string? line)
    {
        if (output is null || line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }
}
