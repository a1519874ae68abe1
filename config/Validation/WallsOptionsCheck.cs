namespace AiGateway.Config;

/// <summary>Checks the <c>Gateway:Walls</c> section; part of <see cref="GatewayOptionsValidator"/>.</summary>
internal static class WallsOptionsCheck
{
    /// <summary>Adds an error for each shared path that is not <c>/segment/…</c> with <c>*</c> only as a whole last segment.</summary>
    public static void Check(List<string> errors, WallsOptions walls)
    {
        var paths = walls.SharedPaths ?? [];
        for (var i = 0; i < paths.Length; i++)
        {
            var path = paths[i];
            var star = path?.IndexOf('*', StringComparison.Ordinal) ?? -1;
            if (string.IsNullOrEmpty(path) || path[0] != '/' || (star >= 0 && (star != path.Length - 1 || path[star - 1] != '/')))
            {
                errors.Add($"Gateway:Walls:SharedPaths:{i} is '{path}'; it must be a path starting with '/', with '*' only as its whole last segment (e.g. /v1/models/*).");
            }
        }
    }
}
