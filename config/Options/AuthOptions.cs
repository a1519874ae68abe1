namespace AiGateway.Config;

/// <summary>The <c>Gateway:Auth</c> section.</summary>
public sealed class AuthOptions
{
    /// <summary>How clients are identified.</summary>
    /// <value><see cref="AuthMode.Passthrough"/> (default) or <see cref="AuthMode.VirtualKeys"/>.</value>
    public AuthMode Mode { get; set; } = AuthMode.Passthrough;

    /// <summary>How long a looked-up virtual key is trusted before it is read from the store again.</summary>
    /// <value>Seconds, 0 to 3600. Default 10; this bounds how late a revocation takes effect on other instances.</value>
    public int KeyCacheSeconds { get; set; } = 10;
}
