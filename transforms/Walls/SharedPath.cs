namespace AiGateway.Transforms.Walls;

/// <summary>Matches a request path against <c>Gateway:Walls:SharedPaths</c>: exact paths, or a prefix and one last segment for <c>/*</c>.</summary>
internal static class SharedPath
{
    /// <summary>Whether <paramref name="path"/> is one of <paramref name="patterns"/>.</summary>
    public static bool IsShared(IReadOnlyList<string> patterns, string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return false;
        }

        // A trailing slash names the same resource to the upstream.
        var span = path.AsSpan().TrimEnd('/');
        foreach (var pattern in patterns)
        {
            if (pattern.EndsWith("/*", StringComparison.Ordinal))
            {
                var prefix = pattern.AsSpan(0, pattern.Length - 1);
                // One segment after the prefix: "/v1/models/*" is a model, never "/v1/models/x/anything-else".
                if (span.Length > prefix.Length && span.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && !span[prefix.Length..].Contains('/'))
                {
                    return true;
                }
            }
            else if (span.Equals(pattern.AsSpan().TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
