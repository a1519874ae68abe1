using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Dedupe;

/// <summary>The upstream response headers a follower or resumer gets: all but framing and the gateway's per-call headers.</summary>
internal static class LiveHeaders
{
    private static readonly string[] Excluded = ["Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive"];

    /// <summary>A copy of the headers YARP set from the upstream response.</summary>
    public static KeyValuePair<string, string>[] Snapshot(IHeaderDictionary headers)
    {
        var copy = new List<KeyValuePair<string, string>>(headers.Count);
        foreach (var header in headers)
        {
            // The gateway's own headers (request id, cache, dedupe, cost) describe each client's call, not the answer;
            // the model headers describe the answer (a fallback model's answer names that model to every client of it).
            if (!Excluded.Contains(header.Key, StringComparer.OrdinalIgnoreCase)
                && (!header.Key.StartsWith("x-aigw-", StringComparison.OrdinalIgnoreCase) || DescribesTheAnswer(header.Key)))
            {
                copy.Add(new(header.Key, header.Value.ToString()));
            }
        }

        return copy.ToArray();
    }

    private static bool DescribesTheAnswer(string name) =>
        string.Equals(name, "x-aigw-model", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "x-aigw-fallback-model", StringComparison.OrdinalIgnoreCase);
}
