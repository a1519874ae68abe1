using System.Globalization;

namespace AiGateway.Transforms.Upstream;

/// <summary>Reads how long the upstream asks a client to wait before retrying.</summary>
internal static class RetryAfter
{
    /// <summary>The wait named by <c>retry-after-ms</c> (OpenAI's, sub-second) or the standard <c>Retry-After</c>, or null when neither is usable.</summary>
    public static TimeSpan? Read(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var milliseconds)
            && double.IsFinite(milliseconds) && milliseconds >= 0 && milliseconds < TimeSpan.MaxValue.TotalMilliseconds)
        {
            return TimeSpan.FromMilliseconds(milliseconds);
        }

        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date <= now ? TimeSpan.Zero : date - now,
            _ => null,
        };
    }
}
