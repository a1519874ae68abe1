using System.Net;
using System.Net.Sockets;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A TCP relay on loopback in front of one server: it accepts connections, opens one to the server for each, and leaves
/// what passes between the two to its subclass (<see cref="CuttingRelay"/>, <see cref="IdleCuttingRelay"/>).
/// </summary>
public abstract class TcpRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;

    /// <summary>Starts relaying to <paramref name="target"/> (a loopback address).</summary>
    protected TcpRelay(Uri target)
    {
        _target = new IPEndPoint(IPAddress.Parse(target.Host), target.Port);
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        // No connection arrives before the subclass is built: nobody knows the address until the constructor returns.
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Cancelled when the relay is disposed.</summary>
    protected CancellationToken Stopping => _stop.Token;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        lock (_sockets)
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>Relays one connection between <paramref name="client"/> and <paramref name="server"/>; both are closed once it returns.</summary>
    protected abstract Task RelayAsync(Socket client, Socket server);

    /// <summary>Copies bytes from <paramref name="from"/> to <paramref name="to"/> until either side closes, calling <paramref name="onBytes"/> before each send.</summary>
    protected static async Task PumpAsync(Socket from, Socket to, Action? onBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                onBytes?.Invoke();
                await to.SendAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = ConnectAndRelayAsync(client);
        }
    }

    private async Task ConnectAndRelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets)
        {
            _sockets.Add(client);
            _sockets.Add(server);
        }

        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            await RelayAsync(client, server);
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            client.Dispose();
            server.Dispose();
            lock (_sockets)
            {
                _sockets.Remove(client);
                _sockets.Remove(server);
            }
        }
    }
}
