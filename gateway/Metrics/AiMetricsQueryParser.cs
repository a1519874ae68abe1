using System.Globalization;
using AiGateway.Admin;
using AiGateway.Transforms.Orgs;

namespace AiGateway.Metrics;

/// <summary>
/// Reads the query string of the metrics API (<c>org, customer, from, to, route, model</c>; <c>top</c> for the report,
/// <c>bucket</c> for a series), refusing what it does not understand.
/// </summary>
internal static class AiMetricsQueryParser
{
    // ISO-8601 as people and scripts write it: a date, or a date and time with optional seconds, fraction and zone
    // (none means UTC). K accepts "", "Z" and "+hh:mm".
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly HashSet<string> FilterNames = new(StringComparer.Ordinal) { "org", "customer", "from", "to", "route", "model" };

    /// <summary>How many routes <c>slowest_routes</c> and <c>most_called_routes</c> list when <c>top</c> is not given.</summary>
    public const int DefaultTop = 5;

    /// <summary>The largest <c>top</c> accepted.</summary>
    public const int MaxTop = 100;

    /// <summary>Parses the filters (and <c>bucket</c> when <paramref name="allowBucket"/>); <paramref name="error"/> names the bad parameter and why.</summary>
    public static bool TryParse(IQueryCollection query, bool allowBucket, out AiMetricsFilter filter, out TimeBucket? bucket, out (string Param, string Message) error)
        => TryParse(query, allowBucket ? "bucket" : null, out filter, out bucket, out _, out error);

    /// <summary>Parses the filters and <c>top</c> of the report (1 to <see cref="MaxTop"/>, default <see cref="DefaultTop"/>).</summary>
    public static bool TryParseReport(IQueryCollection query, out AiMetricsFilter filter, out int top, out (string Param, string Message) error)
        => TryParse(query, "top", out filter, out _, out top, out error);

    private static bool TryParse(IQueryCollection query, string? extra, out AiMetricsFilter filter, out TimeBucket? bucket, out int top, out (string Param, string Message) error)
    {
        filter = new AiMetricsFilter(null, null, null, null, null);
        bucket = null;
        top = DefaultTop;
        foreach (var name in query.Keys)
        {
            if (!FilterNames.Contains(name) && name != extra)
            {
                error = (name, $"Unknown query parameter '{name}'. Use org, customer, from, to, route, model{(extra is null ? "" : ", " + extra)}.");
                return false;
            }
        }

        if (!TryTime(query, "from", out var from, out error) || !TryTime(query, "to", out var to, out error))
        {
            return false;
        }

        if (from is { } f && to is { } t && f >= t)
        {
            error = ("from", "'from' must be before 'to'.");
            return false;
        }

        if (extra == "top" && AdminQuery.Text(query, "top") is { } topText)
        {
            if (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > MaxTop)
            {
                error = ("top", $"'top' must be a whole number from 1 to {MaxTop}, not '{topText}'.");
                return false;
            }
        }

        if (extra == "bucket" && AdminQuery.Text(query, "bucket") is { } bucketText)
        {
            bucket = bucketText switch
            {
                "minute" => TimeBucket.Minute,
                "hour" => TimeBucket.Hour,
                "day" => TimeBucket.Day,
                _ => null,
            };
            if (bucket is null)
            {
                error = ("bucket", $"'bucket' must be minute, hour or day, not '{bucketText}'.");
                return false;
            }
        }

        var customer = AdminQuery.Text(query, "customer");
        if (customer is not null && !CustomerId.IsValid(customer))
        {
            error = ("customer", $"'customer' is a customer id: 1 to {CustomerId.MaxLength} of A-Z a-z 0-9 . _ : -; got '{customer}'.");
            return false;
        }

        filter = new AiMetricsFilter(AdminQuery.Text(query, "org"), AdminQuery.Text(query, "route"), AdminQuery.Text(query, "model"), from, to) { Customer = customer };
        error = default;
        return true;
    }

    /// <summary>Reads the ISO-8601 time <paramref name="name"/> names (null when absent); <paramref name="error"/> says why it is not one.</summary>
    internal static bool TryTime(IQueryCollection query, string name, out DateTimeOffset? value, out (string Param, string Message) error)
    {
        value = null;
        error = default;
        if (AdminQuery.Text(query, name) is not { } text)
        {
            return true;
        }

        // An unencoded '+' of a zone offset arrives as a space; ISO-8601 has no spaces, so it can only be that.
        if (DateTimeOffset.TryParseExact(text.Replace(' ', '+'), Formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        error = (name, $"'{name}' must be an ISO-8601 date or time, e.g. 2026-11-01 or 2026-11-01T09:30:00Z; got '{text}'.");
        return false;
    }
}
