namespace AiGateway.Config;

/// <summary>The <c>Gateway:Admin</c> section.</summary>
public sealed class AdminOptions
{
    /// <summary>Bearer key for the operator surfaces: reads and changes.</summary>
    /// <value>Any string. Default none: the operator surfaces then answer on loopback only.</value>
    public string? Key { get; set; }

    /// <summary>
    /// Bearer key that reads the operator surfaces but changes nothing: dashboards, <c>/metrics</c>, the metrics API, the
    /// settings, budgets, key list and audit log (never a payload); every change answers it 403 <c>admin_key_read_only</c>.
    /// </summary>
    /// <value>Any string other than <see cref="Key"/>, which must be set with it. Default none.</value>
    public string? ReadOnlyKey { get; set; }
}
