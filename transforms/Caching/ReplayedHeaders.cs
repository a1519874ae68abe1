using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Which upstream response headers a cache entry keeps (CONTRACT §5): the informative ones an app may log.
/// Account-identifying headers (<c>openai-organization</c>, <c>openai-project</c>) are not kept, as entries can be shared.
/// </summary>
internal static class ReplayedHeaders
{
    private static readonly string[] Names = ["Content-Type", "x-request-id", "openai-processing-ms", "openai-version", "openai-model"];

    /// <summary>The replayable headers of a response about to be sent.</summary>
    public static KeyValuePair<string, string>[] From(IHeaderDictionary headers)
    {
        var kept = new List<KeyValuePair<string, string>>(12);
        foreach (var name in Names)
        {
            if (headers.TryGetValue(name, out var value))
            {
                kept.Add(new(name, value.ToString()));
            }
        }

        foreach (var header in headers)
        {
            if (header.Key.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(new(header.Key, header.Value.ToString()));
            }
        }

        return kept.ToArray();
    }
}
