using System.Text.RegularExpressions;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// The built-in detectors' patterns, source-generated. Each is a candidate finder: the checks in
/// <see cref="RedactionChecks"/> keep look-alikes (order numbers, versions, times) out. No pattern nests quantifiers, so
/// none can backtrack without bound on a hostile prompt.
/// </summary>
internal static partial class RedactionPatterns
{
    /// <summary>API keys: OpenAI (<c>sk-…</c>, <c>sk-proj-…</c>), this gateway's (<c>aigw_…</c>), GitHub, AWS access key ids, Slack.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{16,}|aigw_[A-Za-z0-9_-]{16,}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|AKIA[0-9A-Z]{16}|xox[abprs]-[A-Za-z0-9-]{10,})", RegexOptions.CultureInvariant)]
    public static partial Regex ApiKey();

    /// <summary>Bearer tokens after the word <c>Bearer</c>, and JSON Web Tokens anywhere.</summary>
    [GeneratedRegex(@"(?<=\b[Bb]earer\s{1,4})[A-Za-z0-9._~+/-]{16,}=*|(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", RegexOptions.CultureInvariant)]
    public static partial Regex BearerToken();

    /// <summary>E-mail addresses.</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9-])", RegexOptions.CultureInvariant)]
    public static partial Regex Email();

    /// <summary>IBAN candidates: country, check digits, then groups of four (spaced or not).</summary>
    [GeneratedRegex(@"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex Iban();

    /// <summary>Payment card candidates: 13 to 19 digits, optionally grouped by spaces or dashes.</summary>
    [GeneratedRegex(@"(?<![0-9-])[0-9](?:[ -]?[0-9]){12,18}(?![0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex CardNumber();

    /// <summary>IPv6 candidates: hex groups with at least two colons (an IPv4 tail allowed).</summary>
    [GeneratedRegex(@"(?<![0-9A-Za-z:.])(?=[0-9A-Fa-f.]*:[0-9A-Fa-f.]*:)[0-9A-Fa-f:.]{3,45}(?![0-9A-Za-z:])", RegexOptions.CultureInvariant)]
    public static partial Regex Ipv6();

    /// <summary>IPv4 addresses.</summary>
    [GeneratedRegex(@"(?<![0-9.])(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(?!\.?[0-9])", RegexOptions.CultureInvariant)]
    public static partial Regex Ipv4();

    /// <summary>
    /// Phone numbers: an optional <c>+</c> and country code, then an area code in parentheses or followed by a space or
    /// dash, then two more groups; <c>415.555.2671</c>; or <c>+</c> and 8 to 15 digits. Never a part of a longer run of
    /// digit groups (a card, an IBAN), never dotted otherwise (dates, versions), never a bare run of digits (ids).
    /// </summary>
    [GeneratedRegex(@"(?<![\w+.-])(?<!\d[ .-]?)(?:\+[0-9]{1,3}[ -]?)?(?:\([0-9]{1,4}\)[ -]?|[0-9]{2,4}[ -])[0-9]{2,4}[ -]?[0-9]{3,4}(?![\w-])(?![ .-]?\d)|(?<![\w.-])(?<!\d[ .-]?)[0-9]{3}\.[0-9]{3}\.[0-9]{4}(?![\w.-]?\d)|(?<![\w+])\+[0-9]{8,15}(?!\w)", RegexOptions.CultureInvariant)]
    public static partial Regex Phone();
}
