namespace AiGateway.Cli;

/// <summary>The process exit codes of the verbs, listed in every <c>--help</c>.</summary>
internal static class ExitCodes
{
    /// <summary>The verb did what was asked (help printed, configuration valid, key issued …).</summary>
    public const int Success = 0;

    /// <summary>The verb ran and found a problem: an invalid configuration, a schema that differs, no matching key, a store error.</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong: an unknown verb or option, a missing argument.</summary>
    public const int Usage = 2;

    /// <summary>The lines <c>--help</c> ends with.</summary>
    public static readonly string Help = $"""
        Exit codes:
          {Success}  success
          {Failure}  the verb ran and found a problem (invalid configuration, schema drift, no matching key, store error)
          {Usage}  bad usage (unknown verb or option, missing argument)
        """;
}
