namespace AiGateway.Transforms.Orgs;

/// <summary>
/// The levels of <c>payload_logging</c> (CONTRACT §10.7), from least to most kept: <c>off</c> (nothing), <c>metadata</c>
/// (the shape of a call, no text), <c>redacted</c> (the bodies with personal data and secrets replaced), <c>full</c> (the
/// bodies as they were). A route policy and the request's <c>x-aigw-log</c> may only lower the level the settings give.
/// </summary>
public static class PayloadLoggingName
{
    /// <summary>Nothing of the call is stored (the default).</summary>
    public const string Off = "off";

    /// <summary>Only the call's shape: message count and roles, tool names, parameters, finish reason.</summary>
    public const string Metadata = "metadata";

    /// <summary>The bodies, redacted before they are written.</summary>
    public const string Redacted = "redacted";

    /// <summary>The bodies as they were.</summary>
    public const string Full = "full";

    /// <summary>Every level, least kept first (its index is its rank).</summary>
    public static IReadOnlyList<string> All { get; } = [Off, Metadata, Redacted, Full];

    /// <summary>The canonical (lower-case) level named by <paramref name="value"/>, or null when it names none.</summary>
    public static string? Parse(ReadOnlySpan<char> value)
    {
        var trimmed = value.Trim();
        for (var i = 0; trimmed.Length > 0 && i < All.Count; i++)
        {
            if (trimmed.Equals(All[i], StringComparison.OrdinalIgnoreCase))
            {
                return All[i];
            }
        }

        return null;
    }

    /// <summary>The rank of a canonical level (0 for <c>off</c> and for anything else).</summary>
    public static int Rank(string? level) => level switch
    {
        Metadata => 1,
        Redacted => 2,
        Full => 3,
        _ => 0,
    };

    /// <summary>The lower of two canonical levels: a cap lowers, it never raises.</summary>
    public static string Lower(string level, string? cap) => cap is null || Rank(cap) >= Rank(level) ? level : cap;
}
