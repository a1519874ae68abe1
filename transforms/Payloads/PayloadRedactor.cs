using System.Buffers;
using System.Text.RegularExpressions;

namespace AiGateway.Transforms.Payloads;

/// <summary>
/// The detectors of the <c>redacted</c> level, in the order they run: the operator's own patterns
/// (<c>Gateway:Payloads:Redact:Patterns</c>, as <c>CUSTOM</c>) first, so they win over the generic ones; then API keys,
/// bearer tokens, e-mail addresses, IBANs (mod-97 checked), payment cards (Luhn-checked), IPv6 and IPv4 addresses and
/// phone numbers. Each payload gets its own <see cref="Redaction"/>.
/// </summary>
internal sealed class PayloadRedactor
{
    // A custom pattern is the operator's: bounded, so that one with runaway backtracking drops a payload instead of a core.
    private static readonly TimeSpan CustomTimeout = TimeSpan.FromMilliseconds(100);

    private static readonly SearchValues<string> Digits = Hints("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");

    private readonly RedactionDetector[] _detectors;

    /// <summary>The built-in detectors and <paramref name="customPatterns"/>.</summary>
    public PayloadRedactor(IEnumerable<string> customPatterns)
    {
        var custom = customPatterns.Select(p => new RedactionDetector("CUSTOM", new Regex(p, RegexOptions.CultureInvariant, CustomTimeout), null));
        _detectors =
        [
            .. custom,
            new("KEY", RedactionPatterns.ApiKey(), null, Hints("sk-", "aigw_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "AKIA", "xox")),
            new("TOKEN", RedactionPatterns.BearerToken(), null, Hints("earer", "eyJ")),
            new("EMAIL", RedactionPatterns.Email(), null, Hints("@")),
            new("IBAN", RedactionPatterns.Iban(), v => RedactionChecks.IsIban(v), Digits),
            new("CARD", RedactionPatterns.CardNumber(), v => RedactionChecks.IsCardNumber(v), Digits),
            new("IP", RedactionPatterns.Ipv6(), RedactionChecks.IsIpv6, Hints("::", ":0", ":1", ":2", ":3", ":4", ":5", ":6", ":7", ":8", ":9", ":a", ":b", ":c", ":d", ":e", ":f", ":A", ":B", ":C", ":D", ":E", ":F")),
            new("IP", RedactionPatterns.Ipv4(), null, Hints("0.", "1.", "2.", "3.", "4.", "5.", "6.", "7.", "8.", "9.")),
            new("PHONE", RedactionPatterns.Phone(), v => RedactionChecks.IsPhoneNumber(v), Digits),
        ];
    }

    private static SearchValues<string> Hints(params string[] values) => SearchValues.Create(values, StringComparison.Ordinal);

    /// <summary>A redaction for one payload: placeholders consistent across its request and response.</summary>
    public Redaction Begin() => new(_detectors);
}
