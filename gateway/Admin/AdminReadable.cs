namespace AiGateway.Admin;

/// <summary>
/// Marks an operator endpoint that only reads (dashboards, metrics, the in-flight list): the one place where the
/// read-only admin key (<c>Gateway:Admin:ReadOnlyKey</c>, CONTRACT §10.3) is to be admitted besides the full key.
/// Until that key exists, <see cref="AdminAuthorizationFilter"/> treats these endpoints as any other.
/// </summary>
internal sealed class AdminReadable
{
    /// <summary>The marker, added with <c>.WithMetadata(AdminReadable.Instance)</c>.</summary>
    public static readonly AdminReadable Instance = new();

    private AdminReadable()
    {
    }
}
