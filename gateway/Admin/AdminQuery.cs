using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Admin;

/// <summary>Query-string values of the operator APIs (admin, metrics, costs), read the same way by each of them.</summary>
internal static class AdminQuery
{
    /// <summary>The last value given for <paramref name="name"/>; null when it is absent or empty.</summary>
    public static string? Text(IQueryCollection query, string name) =>
        query.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[^1]) ? values[^1] : null;

    /// <summary>
    /// The <c>limit</c> parameter: <paramref name="defaultLimit"/> when absent, else a whole number from 1 to
    /// <paramref name="maxLimit"/>; otherwise false, with <paramref name="message"/> saying why.
    /// </summary>
    public static bool TryLimit(IQueryCollection query, int defaultLimit, int maxLimit, out int limit, out string message)
    {
        message = "";
        limit = defaultLimit;
        if (Text(query, "limit") is not { } text
            || (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 && limit <= maxLimit))
        {
            return true;
        }

        message = $"'limit' must be a whole number from 1 to {maxLimit} (default {defaultLimit}); got '{text}'.";
        return false;
    }
}
