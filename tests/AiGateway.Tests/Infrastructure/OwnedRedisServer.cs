using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A redis-server process that one test starts, kills and restarts for fault injection, on its own loopback port
/// (the shared test Redis is never touched). Needs <c>redis-server</c> on the PATH, as <c>ops/services.sh</c> installs it.
/// </summary>
public sealed class OwnedRedisServer : IDisposable
{
    private Process? _process;

    private OwnedRedisServer(int port) => Port = port;

    /// <summary>The port it listens on, the same across restarts.</summary>
    public int Port { get; }

    /// <summary>The StackExchange.Redis configuration string for it.</summary>
    public string ConnectionString => $"127.0.0.1:{Port}";

    /// <summary>Starts a server on a free port and waits until it accepts connections.</summary>
    public static async Task<OwnedRedisServer> StartAsync()
    {
        var server = new OwnedRedisServer(FreePort.Next());
        await server.RestartAsync();
        return server;
    }

    /// <summary>Starts the server again (after <see cref="Kill"/>) on the same port, waiting until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList = { "--bind", "127.0.0.1", "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--save", "", "--appendonly", "no" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start.");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"redis-server did not listen on {Port}.");
    }

    /// <summary>Kills the server at once (SIGKILL), as a crash would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            _process.WaitForExit();
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Kill();
        _process?.Dispose();
    }
}
