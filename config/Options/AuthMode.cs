namespace AiGateway.Config;

/// <summary>How the gateway identifies a client and authenticates upstream.</summary>
public enum AuthMode
{
    /// <summary>The client's own OpenAI key goes upstream; the org is derived from a hash of it.</summary>
    Passthrough,

    /// <summary>Clients present gateway-issued <c>aigw_</c> keys; the gateway sends its own upstream key.</summary>
    VirtualKeys,
}
