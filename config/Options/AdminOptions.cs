namespace AiGateway.Config;

/// <summary>The <c>Gateway:Admin</c> section.</summary>
public sealed class AdminOptions
{
    /// <summary>Bearer key for the operator surfaces.</summary>
    /// <value>Any string. Default none: the operator surfaces then answer on loopback only.</value>
    public string? Key { get; set; }
}
