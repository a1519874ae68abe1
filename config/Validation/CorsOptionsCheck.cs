namespace AiGateway.Config;

/// <summary>Checks the <c>Gateway:Cors</c> section; part of <see cref="GatewayOptionsValidator"/>.</summary>
internal static class CorsOptionsCheck
{
    /// <summary>Adds one message per problem to <paramref name="errors"/>.</summary>
    public static void Check(List<string> errors, CorsOptions cors)
    {
        for (var i = 0; i < cors.Origins.Count; i++)
        {
            var origin = cors.Origins[i];
            var key = $"Gateway:Cors:Origins:{i}";
            if (string.IsNullOrWhiteSpace(origin))
            {
                errors.Add($"{key} is empty; name an origin such as https://app.example.com.");
            }
            else if (origin.Contains('*', StringComparison.Ordinal))
            {
                errors.Add($"{key} is '{origin}'; wildcards are not accepted: list each origin, such as https://app.example.com.");
            }
            else if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            {
                errors.Add($"{key} is '{origin}'; an origin is http(s)://host[:port], such as https://app.example.com.");
            }
            else if (origin.TrimEnd('/').Length != origin.Length || uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
            {
                errors.Add($"{key} is '{origin}'; an origin has no path, query or trailing slash: {uri.Scheme}://{uri.Authority}.");
            }
        }

        if (cors.PreflightMaxAgeSeconds is < 0 or > 86400)
        {
            errors.Add($"Gateway:Cors:PreflightMaxAgeSeconds is {cors.PreflightMaxAgeSeconds}; it must be between 0 and 86400.");
        }
    }
}
