namespace AiGateway.Config;

/// <summary>The <c>Gateway:Payloads:Redact</c> section: what the <c>redacted</c> level replaces besides the built-in detectors.</summary>
public sealed class PayloadRedactOptions
{
    /// <summary>Extra .NET regular expressions; each match is replaced by <c>[CUSTOM_n]</c>. Read at start-up.</summary>
    /// <value>Patterns; default none. Each must compile; a match is bounded by a 100 ms timeout, past which the payload is dropped rather than stored unredacted.</value>
    public List<string> Patterns { get; set; } = [];
}
