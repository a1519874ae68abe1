using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// OpenAI's rate-limit response headers for the tightest gateway limit that applied (CONTRACT §10.4):
/// <c>x-ratelimit-limit-requests</c>, <c>-remaining-requests</c>, <c>-reset-requests</c> and the same three for tokens,
/// the reset in OpenAI's duration form (<c>20ms</c>, <c>1s</c>, <c>6m0s</c>).
/// </summary>
internal static class RateLimitHeaders
{
    /// <summary>Sets the headers of <paramref name="decision"/>'s limits on <paramref name="response"/>, replacing any the upstream sent.</summary>
    public static void Set(HttpResponse response, QuotaDecision decision)
    {
        if (decision.Requests is { } requests)
        {
            Set(response.Headers, "requests", requests);
        }

        if (decision.Tokens is { } tokens)
        {
            Set(response.Headers, "tokens", tokens);
        }
    }

    /// <summary>A duration as OpenAI writes it: milliseconds under a second, else hours, minutes and (fractional) seconds.</summary>
    public static string Duration(TimeSpan duration)
    {
        var ms = (long)Math.Ceiling(Math.Max(0, duration.TotalMilliseconds));
        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        var seconds = (ms % 60_000) / 1000m;
        var text = seconds.ToString("0.###", CultureInfo.InvariantCulture) + "s";
        return hours > 0 ? $"{hours}h{minutes}m{text}" : minutes > 0 ? $"{minutes}m{text}" : text;
    }

    private static void Set(IHeaderDictionary headers, string kind, RateWindow window)
    {
        headers["x-ratelimit-limit-" + kind] = window.Limit.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-remaining-" + kind] = window.Remaining.ToString(CultureInfo.InvariantCulture);
        headers["x-ratelimit-reset-" + kind] = Duration(window.Reset);
    }
}
