namespace AiGateway.Config;

/// <summary>The <c>Gateway:Cors</c> section: which web pages on other origins may call the gateway from a browser (CONTRACT §10.6).</summary>
public sealed class CorsOptions
{
    /// <summary>The origins whose pages may call <c>/v1/*</c>, <c>/api/inflight/*</c> and load <c>/sdk/*</c>.</summary>
    /// <value>
    /// Origins as browsers send them, <c>scheme://host[:port]</c> (http or https, no path, no trailing slash, no
    /// wildcard), e.g. <c>https://app.example.com</c>. Default none: no page on another origin may use the gateway.
    /// </value>
    public List<string> Origins { get; set; } = [];

    /// <summary>How long a browser may reuse a preflight answer (each stream and each resume would otherwise cost one more round trip).</summary>
    /// <value>Seconds, 0 to 86400 (browsers cap it: Chromium at 7200). Default 600.</value>
    public int PreflightMaxAgeSeconds { get; set; } = 600;
}
