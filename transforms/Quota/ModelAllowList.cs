namespace AiGateway.Transforms.Quota;

/// <summary>A key's model allow-list (CONTRACT §10.3): exact names and <c>*</c> globs (any run of characters), empty = every model.</summary>
internal static class ModelAllowList
{
    /// <summary>Whether <paramref name="model"/> (the model sent upstream, after the mode rewrite) is allowed.</summary>
    public static bool Allows(IReadOnlyList<string> patterns, string? model)
    {
        if (patterns.Count == 0)
        {
            return true;
        }

        foreach (var pattern in patterns)
        {
            if (model is not null && Matches(pattern, model))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether <paramref name="model"/> matches <paramref name="pattern"/>, where each <c>*</c> stands for any run of characters.</summary>
    public static bool Matches(ReadOnlySpan<char> pattern, ReadOnlySpan<char> model)
    {
        var star = pattern.IndexOf('*');
        if (star < 0)
        {
            return pattern.SequenceEqual(model);
        }

        // The part before the first star must start the model; then each part between stars must follow in order, and
        // the part after the last star must end it.
        if (!model.StartsWith(pattern[..star]))
        {
            return false;
        }

        var rest = model[star..];
        var parts = pattern[(star + 1)..];
        while (true)
        {
            var next = parts.IndexOf('*');
            if (next < 0)
            {
                return rest.EndsWith(parts);
            }

            var found = rest.IndexOf(parts[..next]);
            if (found < 0)
            {
                return false;
            }

            rest = rest[(found + next)..];
            parts = parts[(next + 1)..];
        }
    }
}
