using System.Net;
using System.Net.Sockets;

namespace AiGateway.Tests.Infrastructure;

/// <summary>A loopback port nobody listens on right now, for a server a test starts.</summary>
internal static class FreePort
{
    /// <summary>Takes a port from the kernel and lets it go again.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
