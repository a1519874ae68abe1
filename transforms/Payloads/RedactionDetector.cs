using System.Buffers;
using System.Text.RegularExpressions;

namespace AiGateway.Transforms.Payloads;

/// <summary>One kind of thing the <c>redacted</c> level replaces: its placeholder type, its pattern and the check a match must pass.</summary>
/// <param name="Type">The placeholder's type (<c>EMAIL</c> gives <c>[EMAIL_1]</c>).</param>
/// <param name="Pattern">The candidates.</param>
/// <param name="Check">What a candidate must pass to be replaced (a checksum, a parse), or null for every match.</param>
/// <param name="Hint">Text every match contains (an <c>@</c>, a digit, a key prefix), or null: a text without any is not searched.</param>
internal sealed record RedactionDetector(string Type, Regex Pattern, Func<string, bool>? Check, SearchValues<string>? Hint = null)
{
    /// <summary>Whether <paramref name="text"/> may hold a match (a vectorised scan, far cheaper than the pattern).</summary>
    public bool MayMatch(string text) => Hint is null || text.AsSpan().IndexOfAny(Hint) >= 0;
}
