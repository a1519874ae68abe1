namespace AiGateway.Transforms.Identity;

/// <summary>Who a call acts for, established from its API key; never from a client header.</summary>
/// <param name="OrgId">The org's id: the virtual key's org, or <c>pt_</c> + a hash of a passthrough key.</param>
/// <param name="KeyName">The virtual key's name, or null in passthrough mode.</param>
public sealed record OrgIdentity(string OrgId, string? KeyName)
{
    /// <summary>The org of passthrough requests that carry no API key at all.</summary>
    public static readonly OrgIdentity Anonymous = new("anonymous", null);

    /// <summary>The virtual key and its policy (VirtualKeys mode), or null in passthrough mode.</summary>
    public ApiKeyRecord? Key { get; init; }

    /// <summary>The key's id, or null in passthrough mode.</summary>
    public string? KeyId => Key?.Id;
}
