using System.Net;
using System.Net.Sockets;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A TCP relay that drops a connection on which no byte has passed, either way, for <see cref="IdleLimit"/> — what load
/// balancers and proxies do to a stream left silent (often after 60–100 s; here the test's own, shorter limit).
/// Everything else is relayed untouched.
/// </summary>
public sealed class IdleCuttingRelay : TcpRelay
{
    private int _cuts;

    private IdleCuttingRelay(Uri target, TimeSpan idleLimit)
        : base(target)
    {
        IdleLimit = idleLimit;
    }

    /// <summary>How long a connection may stay silent before the relay drops it.</summary>
    public TimeSpan IdleLimit { get; }

    /// <summary>How many connections the relay dropped for being silent.</summary>
    public int Cuts => Volatile.Read(ref _cuts);

    /// <summary>Starts a relay to <paramref name="target"/> (a loopback address) that drops connections silent for <paramref name="idleLimit"/>.</summary>
    public static IdleCuttingRelay Start(Uri target, TimeSpan idleLimit) => new(target, idleLimit);

    /// <inheritdoc/>
    protected override async Task RelayAsync(Socket client, Socket server)
    {
        // Environment.TickCount64 of the last byte either way.
        var lastActivity = Environment.TickCount64;
        using var done = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        var up = PumpAsync(client, server, () => Volatile.Write(ref lastActivity, Environment.TickCount64), done.Token);
        var down = PumpAsync(server, client, () => Volatile.Write(ref lastActivity, Environment.TickCount64), done.Token);
        var watch = WatchAsync(() => Volatile.Read(ref lastActivity), done.Token);
        var first = await Task.WhenAny(up, down, watch);
        if (first == watch && !Stopping.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cuts);
        }

        await done.CancelAsync();
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
}
