using System.Net;
using System.Net.Sockets;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A TCP relay that drops a connection on which no byte has passed, either way, for <see cref="IdleLimit"/> — what load
/// balancers and proxies do to a stream left silent (often after 60–100 s; here the test's own, shorter limit).
/// Everything else is relayed untouched.
/// </summary>
public sealed class IdleCuttingRelay : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Socket> _sockets = [];
    private readonly Task _accepting;
    private int _cuts;

    private IdleCuttingRelay(IPEndPoint target, TimeSpan idleLimit)
    {
        _target = target;
        IdleLimit = idleLimit;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>The relay's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>How long a connection may stay silent before the relay drops it.</summary>
    public TimeSpan IdleLimit { get; }

    /// <summary>How many connections the relay dropped for being silent.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Starts a relay to <paramref name="target"/> (a loopback address) that drops connections silent for <paramref name="idleLimit"/>.</summary>
    public static IdleCuttingRelay Start(Uri target, TimeSpan idleLimit) => new(new IPEndPoint(IPAddress.Parse(target.Host), target.Port), idleLimit);

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
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptSocketAsync(_stop.Token);
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        lock (_sockets)
        {
            _sockets.Add(client);
            _sockets.Add(server);
        }

        // Environment.TickCount64 of the last byte either way.
        var lastActivity = Environment.TickCount64;
        try
        {
            await server.ConnectAsync(_target, _stop.Token);
            using var done = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client, server, () => Volatile.Write(ref lastActivity, Environment.TickCount64), done.Token);
            var down = PumpAsync(server, client, () => Volatile.Write(ref lastActivity, Environment.TickCount64), done.Token);
            var watch = WatchAsync(() => Volatile.Read(ref lastActivity), done.Token);
            var first = await Task.WhenAny(up, down, watch);
            if (first == watch && !_stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref _cuts);
            }

            await done.CancelAsync();
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

    // Completes once the connection has been silent for the idle limit.
    private async Task WatchAsync(Func<long> lastActivity, CancellationToken cancellationToken)
    {
        while (true)
        {
            var silentFor = TimeSpan.FromMilliseconds(Environment.TickCount64 - lastActivity());
            if (silentFor >= IdleLimit)
            {
                return;
            }

            await Task.Delay(IdleLimit - silentFor, cancellationToken);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, Action onBytes, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                onBytes();
                await to.SendAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }
}
