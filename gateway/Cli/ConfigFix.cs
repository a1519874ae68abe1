using System.Text.RegularExpressions;

namespace AiGateway.Cli;

/// <summary>
/// The one correction a configuration error names, read from the nearest-name hint the check writes
/// (<c>KEY is 'FOUND' …; did you mean 'FIX'?</c>, or <c>KEY has the keyword 'FOUND' …; did you mean 'FIX'?</c> for a
/// connection string). An error that names several candidates (<c>'a' or 'b'</c>), none, or a renamed key has no fix.
/// </summary>
internal sealed partial record ConfigFix(string Key, string Found, string Replacement, bool IsKeyword)
{
    /// <summary>The fix <paramref name="error"/> names, or null when it names none, or more than one.</summary>
    public static ConfigFix? Parse(string error)
    {
        if (ValueHint().Match(error) is { Success: true } value)
        {
            return new ConfigFix(value.Groups["key"].Value, value.Groups["found"].Value, value.Groups["fix"].Value, IsKeyword: false);
        }

        return KeywordHint().Match(error) is { Success: true } keyword
            ? new ConfigFix(keyword.Groups["key"].Value, keyword.Groups["found"].Value, keyword.Groups["fix"].Value, IsKeyword: true)
            : null;
    }

    /// <summary>The corrected text of a value that is <paramref name="current"/> now, or null when this fix does not apply to it exactly once.</summary>
    public string? Apply(string current)
    {
        if (!IsKeyword)
        {
            return current == Found ? Replacement : null;
        }

        // Key=value pairs separated by ';': exactly one pair whose key is the misspelt keyword.
        var pairs = current.Split(';');
        var matches = pairs.Select((pair, index) => (pair, index))
            .Where(p => p.pair.Split('=', 2) is [var name, _] && string.Equals(name.Trim(), Found, StringComparison.OrdinalIgnoreCase))
            .ToList();
        if (matches.Count != 1)
        {
            return null;
        }

        var (match, at) = matches[0];
        var name = match.Split('=', 2)[0];
        pairs[at] = name.Replace(name.Trim(), Replacement, StringComparison.Ordinal) + match[name.Length..];
        return string.Join(';', pairs);
    }

    [GeneratedRegex(@"^(?<key>[A-Za-z0-9_.:-]+:[A-Za-z0-9_.:-]+) is '(?<found>[^']*)'[^\n]*?; did you mean '(?<fix>[^']+)'\?$")]
    private static partial Regex ValueHint();

    [GeneratedRegex(@"^(?<key>ConnectionStrings:[A-Za-z0-9_.-]+) has the keyword '(?<found>[^']+)'[^\n]*?; did you mean '(?<fix>[^']+)'\?$")]
    private static partial Regex KeywordHint();
}
