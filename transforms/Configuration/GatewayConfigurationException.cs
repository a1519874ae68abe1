namespace AiGateway.Transforms.Configuration;

/// <summary>The configuration failed its checks; the message lists every error, one per line.</summary>
public sealed class GatewayConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="errors"/>.</summary>
    public GatewayConfigurationException(IReadOnlyList<string> errors)
        : base(Describe(errors)) => Errors = errors;

    /// <summary>Each error found.</summary>
    public IReadOnlyList<string> Errors { get; }

    /// <summary>The errors as one message: a headline and one indented line per error.</summary>
    public static string Describe(IReadOnlyList<string> errors) =>
        $"The configuration is invalid ({errors.Count} error{(errors.Count == 1 ? "" : "s")}):" + string.Concat(errors.Select(e => Environment.NewLine + "  - " + e));
}
