namespace AiGateway.Transforms.Storage;

/// <summary>
/// The database's schema is not the one this gateway's migrations define (CONTRACT §7): altered by hand, or migrated
/// by a newer gateway. The message names each difference; the gateway refuses to start on it.
/// </summary>
public sealed class SchemaMismatchException : InvalidOperationException
{
    /// <summary>Creates the exception for the differences found in <paramref name="store"/> (e.g. <c>the Postgres schema</c>).</summary>
    public SchemaMismatchException(string store, IReadOnlyList<string> differences)
        : base(Describe(store, differences)) => Differences = differences;

    /// <summary>Each difference found.</summary>
    public IReadOnlyList<string> Differences { get; }

    /// <summary>The differences as one message: a headline and one indented line per difference.</summary>
    public static string Describe(string store, IReadOnlyList<string> differences) =>
        $"{store} differs from what this gateway's migrations define ({differences.Count} difference{(differences.Count == 1 ? "" : "s")}):"
        + string.Concat(differences.Select(d => Environment.NewLine + "  - " + d))
        + Environment.NewLine + "Restore the schema (or point the gateway at another database); the gateway does not start on a schema it does not know.";
}
