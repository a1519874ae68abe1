namespace AiGateway.Transforms.Identity;

/// <summary>The credentials of an <c>Authorization: Bearer …</c> header, read the same way by every door: apps, operators, in-flight.</summary>
internal static class BearerToken
{
    private const string Scheme = "Bearer ";

    /// <summary>The credentials after the scheme (matched case-insensitively, RFC 7235 §2.1), trimmed; empty when there are none.</summary>
    public static ReadOnlyMemory<char> From(string authorization) =>
        authorization.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            ? authorization.AsMemory(Scheme.Length).Trim()
            : ReadOnlyMemory<char>.Empty;
}
