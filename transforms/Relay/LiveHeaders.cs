using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// The upstream response headers of a live answer, as YARP set them on the leader's response when the answer started.
/// Taken for every leader, so the copy is one array of the dictionary's own entries; the string lists the rest of the
/// gateway reads (what followers and resumers get, what the cache keeps) are made only when asked for.
/// </summary>
internal sealed class LiveHeaders
{
    private readonly KeyValuePair<string, StringValues>[] _all;
    private KeyValuePair<string, string>[]? _relayed;

    private LiveHeaders(KeyValuePair<string, StringValues>[] all, KeyValuePair<string, string>[]? relayed)
    {
        _all = all;
        _relayed = relayed;
    }

    /// <summary>A copy of the headers YARP set from the upstream response.</summary>
    public static LiveHeaders Snapshot(IHeaderDictionary headers)
    {
        // The entries hold the strings YARP set: copying them copies references, not text.
        var all = new KeyValuePair<string, StringValues>[headers.Count];
        headers.CopyTo(all, 0);
        return new(all, null);
    }

    /// <summary>Headers already reduced to what followers get (another instance's answer, read from Redis).</summary>
    public static LiveHeaders FromRelayed(KeyValuePair<string, string>[] relayed)
    {
        var all = new KeyValuePair<string, StringValues>[relayed.Length];
        for (var i = 0; i < relayed.Length; i++)
        {
            all[i] = new(relayed[i].Key, relayed[i].Value);
        }

        return new(all, relayed);
    }

    /// <summary>The headers a follower or resumer gets: all but framing and the gateway's per-call headers.</summary>
    public KeyValuePair<string, string>[] Relayed
    {
        get
        {
            // Readers may race to make it; any of their identical lists will do.
            var relayed = Volatile.Read(ref _relayed);
            if (relayed is null)
            {
                relayed = Where(IsRelayed);
                Volatile.Write(ref _relayed, relayed);
            }

            return relayed;
        }
    }

    /// <summary>The leader's own headers as YARP set them (its <c>x-aigw-*</c> ones included), without framing: what its client gets when the gateway, not YARP, starts its response.</summary>
    public IEnumerable<KeyValuePair<string, StringValues>> Leader
    {
        get
        {
            foreach (var header in _all)
            {
                if (!IsFraming(header.Key))
                {
                    yield return header;
                }
            }
        }
    }

    /// <summary>The headers whose name <paramref name="keep"/> accepts, as strings, in their order.</summary>
    public KeyValuePair<string, string>[] Where(Func<string, bool> keep)
    {
        var count = 0;
        foreach (var header in _all)
        {
            count += keep(header.Key) ? 1 : 0;
        }

        if (count == 0)
        {
            return [];
        }

        var kept = new KeyValuePair<string, string>[count];
        var next = 0;
        foreach (var header in _all)
        {
            if (keep(header.Key))
            {
                kept[next++] = new(header.Key, header.Value.ToString());
            }
        }

        return kept;
    }

    // The gateway's own headers (request id, cache, dedupe, cost) describe each client's call, not the answer; the
    // model headers describe the answer (a fallback model's answer names that model to every client of it).
    private static bool IsRelayed(string name) =>
        !IsFraming(name) && (!name.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase) || DescribesTheAnswer(name));

    private static bool IsFraming(string name) =>
        name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase);

    private static bool DescribesTheAnswer(string name) =>
        name.Equals("x-aigw-model", StringComparison.OrdinalIgnoreCase) || name.Equals("x-aigw-fallback-model", StringComparison.OrdinalIgnoreCase);
}
