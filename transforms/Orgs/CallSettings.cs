namespace AiGateway.Transforms.Orgs;

/// <summary>
/// The settings in force for one call, resolved once by <see cref="OrgSettingsMiddleware"/> and read by every later
/// step (quota, mode, cache, dedupe): the org's stored settings, or the gateway's defaults when it has none.
/// </summary>
public sealed class CallSettings
{
    /// <summary>The settings of an org that has stored none: the gateway's defaults apply.</summary>
    public static readonly CallSettings Defaults = new(null);

    /// <summary>Wraps the org's settings.</summary>
    public CallSettings(OrgAiSettings? org) => Org = org;

    /// <summary>The org's stored settings, or null when it has none.</summary>
    public OrgAiSettings? Org { get; }

    /// <summary>Whether the call's answers may be cached.</summary>
    public bool CacheEnabled => Org?.CacheEnabled != false;

    /// <summary>Whether the call may join or lead identical calls in flight.</summary>
    public bool DedupeEnabled => Org?.DedupeEnabled != false;
}
