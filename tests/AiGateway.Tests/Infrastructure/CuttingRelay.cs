using System.Net;
using System.Net.Sockets;
using System.Text;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A TCP relay in front of a server that breaks streams the way a flaky network or a proxy does: the next
/// <see cref="CutNext"/> event-stream responses that pass through it are cut after a number of bytes of their body (the
/// client's connection is closed mid-way; the server sees its client leave). Everything else is relayed untouched.
/// </summary>
public sealed class CuttingRelay : TcpRelay
{
    // The header that tells an event stream from any other response; preceded by CRLF, so a script's text cannot match.
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("\r\ncontent-type: text/event-stream");
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    private int _cutsLeft;
    private int _cutsMade;
    private int _afterBytes;
    private Func<Task>? _beforeCut;

    private CuttingRelay(Uri target)
        : base(target)
    {
    }

    /// <summary>How many responses the relay has cut so far.</summary>
    public int CutsMade => Volatile.Read(ref _cutsMade);

    /// <summary>Starts a relay to <paramref name="target"/> (a loopback address) that cuts nothing until told to.</summary>
    public static CuttingRelay Start(Uri target) => new(target);

    /// <summary>Cuts the next <paramref name="count"/> event streams after <paramref name="afterBytes"/> bytes of body each.</summary>
    /// <param name="count">How many event streams to cut.</param>
    /// <param name="afterBytes">Bytes of each one's body the client gets before its connection is closed.</param>
    /// <param name="beforeCut">
    /// Awaited after those bytes are sent and before the connection is closed: a test waits there until its client has
    /// used them. A browser drops the bytes it has received but not yet handed to the page when the connection fails,
    /// which a real network, whose cuts come long after the data, seldom makes it do.
    /// </param>
    public void CutNext(int count, int afterBytes, Func<Task>? beforeCut = null)
    {
        Volatile.Write(ref _afterBytes, afterBytes);
        Volatile.Write(ref _beforeCut, beforeCut);
        Volatile.Write(ref _cutsLeft, count);
    }

    /// <inheritdoc/>
    protected override Task RelayAsync(Socket client, Socket server) =>
        Task.WhenAny(PumpAsync(client, server, null, Stopping), PumpDownAsync(server, client));

    // Per connection: looking for an event stream's headers, then for their end, then counting its body.
    private async Task PumpDownAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        var seen = new List<byte>();
        var phase = Phase.Scan;
        var budget = 0;
        try
        {
            int read;
            while ((read = await from.ReceiveAsync(buffer, Stopping)) > 0)
            {
                var chunk = buffer.AsMemory(0, read);
                if (phase is Phase.Scan or Phase.Headers)
                {
                    seen.AddRange(chunk.Span);
                    if (phase == Phase.Scan)
                    {
                        var at = IndexOfIgnoreCase(seen, Marker);
                        if (at < 0 || Volatile.Read(ref _cutsLeft) <= 0)
                        {
                            await to.SendAsync(chunk, Stopping);
                            seen.RemoveRange(0, at < 0 ? Math.Max(0, seen.Count - Marker.Length) : seen.Count);
                            continue;
                        }

                        Interlocked.Decrement(ref _cutsLeft);
                        seen.RemoveRange(0, at);
                        phase = Phase.Headers;
                    }

                    var end = IndexOf(seen, HeaderEnd);
                    if (end < 0)
                    {
                        await to.SendAsync(chunk, Stopping);
                        seen.RemoveRange(0, Math.Max(0, seen.Count - HeaderEnd.Length));
                        continue;
                    }

                    // The chunk's bytes after the header block are body; the ones before pass whole.
                    var bodyInChunk = seen.Count - (end + HeaderEnd.Length);
                    await to.SendAsync(chunk[..^bodyInChunk], Stopping);
                    chunk = chunk[^bodyInChunk..];
                    phase = Phase.Body;
                    budget = Volatile.Read(ref _afterBytes);
                }

                if (phase == Phase.Body)
                {
                    if (chunk.Length < budget)
                    {
                        budget -= chunk.Length;
                        await to.SendAsync(chunk, Stopping);
                        continue;
                    }

                    await to.SendAsync(chunk[..budget], Stopping);
                    if (Volatile.Read(ref _beforeCut) is { } beforeCut)
                    {
                        await beforeCut();
                    }

                    Interlocked.Increment(ref _cutsMade);
                    // A clean close after part of a chunked body: the client sees its stream end mid-way, as when a
                    // proxy or a load balancer drops the connection.
                    to.Shutdown(SocketShutdown.Both);
                    return;
                }

                await to.SendAsync(chunk, Stopping);
            }
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static int IndexOf(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private static int IndexOfIgnoreCase(List<byte> haystack, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= haystack.Count; i++)
        {
            var j = 0;
            while (j < needle.Length && char.ToLowerInvariant((char)haystack[i + j]) == (char)needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    private enum Phase { Scan, Headers, Body }
}
