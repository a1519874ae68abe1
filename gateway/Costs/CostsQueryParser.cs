using System.Globalization;
using AiGateway.Admin;

namespace AiGateway.Costs;

/// <summary>Reads the query string of <c>GET /api/costs.csv</c> (<c>from, to, org, customer, group</c>), refusing what it does not understand.</summary>
internal static class CostsQueryParser
{
    // The rollups hold whole UTC days: a date, or a time at UTC midnight (what a page sends from toISOString()).
    private static readonly string[] TimeFormats =
    [
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
    ];

    private static readonly HashSet<string> Names = new(StringComparer.Ordinal) { "from", "to", "org", "customer", "group" };

    /// <summary>A refusal: the parameter, the error code and a message that says how to fix it.</summary>
    public readonly record struct Error(string Param, string Code, string Message);

    /// <summary>Parses the parameters; <paramref name="error"/> names the bad one and why.</summary>
    public static bool TryParse(IQueryCollection query, out CostsQuery costs, out Error error)
    {
        costs = new CostsQuery(null, null, null, null, CostPeriod.Day);
        foreach (var name in query.Keys)
        {
            if (!Names.Contains(name))
            {
                error = new(name, "invalid_parameter", $"Unknown query parameter '{name}'. Use from, to, org, customer, group.");
                return false;
            }
        }

        if (!TryDay(query, "from", out var from, out error) || !TryDay(query, "to", out var to, out error))
        {
            return false;
        }

        if (from is { } f && to is { } t && f >= t)
        {
            error = new("from", "invalid_parameter", "'from' must be before 'to' ('to' is exclusive: to=2026-12-01 ends with November 30).");
            return false;
        }

        var group = CostPeriod.Day;
        if (AdminQuery.Text(query, "group") is { } groupText)
        {
            if (groupText is not ("day" or "month"))
            {
                error = new("group", "invalid_parameter", $"'group' must be day or month, not '{groupText}'.");
                return false;
            }

            group = groupText == "month" ? CostPeriod.Month : CostPeriod.Day;
        }

        costs = new CostsQuery(from, to, AdminQuery.Text(query, "org"), AdminQuery.Text(query, "customer"), group);
        error = default;
        return true;
    }

    private static bool TryDay(IQueryCollection query, string name, out DateOnly? value, out Error error)
    {
        value = null;
        error = default;
        if (AdminQuery.Text(query, name) is not { } text)
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            value = day;
            return true;
        }

        // An unencoded '+' of a zone offset arrives as a space; ISO-8601 has no spaces, so it can only be that.
        if (DateTimeOffset.TryParseExact(text.Replace(' ', '+'), TimeFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            if (time.UtcDateTime.TimeOfDay == TimeSpan.Zero)
            {
                value = DateOnly.FromDateTime(time.UtcDateTime);
                return true;
            }

            error = new(name, "invalid_parameter", $"'{name}' must be a whole UTC day: the cost rollups hold days, not hours; got '{text}'.");
            return false;
        }

        error = new(name, "invalid_parameter", $"'{name}' must be an ISO-8601 date, e.g. 2026-11-01; got '{text}'.");
        return false;
    }
}
