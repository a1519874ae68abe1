namespace AiGateway.Config;

/// <summary>Suggests the known name closest to a misspelt one, for configuration errors (<c>did you mean 'openai'?</c>).</summary>
public static class NearestName
{
    /// <summary>The candidate nearest to <paramref name="name"/> by case-insensitive Levenshtein distance, or null when none is plausibly meant.</summary>
    public static string? Find(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        // Beyond a third of the name, the "suggestion" would be a different name rather than a typo of it.
        return best is not null && bestDistance > 0 && bestDistance <= Math.Max(2, name.Length / 3) ? best : null;
    }

    /// <summary>
    /// Every candidate at the nearest plausible distance from <paramref name="name"/> (ignoring case), in their order:
    /// one when the misspelling has a single correction, more when it is ambiguous, none when nothing is near.
    /// </summary>
    public static IReadOnlyList<string> FindAll(string name, IEnumerable<string> candidates)
    {
        var nearest = new List<string>();
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            var distance = Distance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                nearest.Clear();
                bestDistance = distance;
            }

            if (distance == bestDistance)
            {
                nearest.Add(candidate);
            }
        }

        return bestDistance > 0 && bestDistance <= Math.Max(2, name.Length / 3) ? nearest : [];
    }

    /// <summary>
    /// <c>; did you mean 'X'?</c> for the nearest candidate, <c>; did you mean 'X' or 'Y'?</c> when several are as near
    /// (so that <c>validate --fix</c> corrects only the unambiguous), or an empty string.
    /// </summary>
    public static string Hint(string name, IEnumerable<string> candidates) =>
        FindAll(name, candidates) switch
        {
            [] => "",
            [var one] => $"; did you mean '{one}'?",
            var several => $"; did you mean {string.Join(", ", several.SkipLast(1).Select(c => $"'{c}'"))} or '{several[^1]}'?",
        };

    /// <summary>The Levenshtein distance: the fewest single-character insertions, deletions or substitutions from <paramref name="a"/> to <paramref name="b"/>.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.Min(substitution, Math.Min(previous[j] + 1, current[j - 1] + 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
