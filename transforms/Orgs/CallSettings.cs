namespace AiGateway.Transforms.Orgs;

/// <summary>
/// The settings in force for one call, resolved once by <see cref="OrgSettingsMiddleware"/> and read by every later
/// step: the org's stored settings and, when the call names a customer, the customer's, each of whose null members
/// falls back to the org's (CONTRACT §10.2); the gateway's defaults where neither says.
/// </summary>
public sealed class CallSettings
{
    /// <summary>The settings of an org that has stored none and of a call that names no customer.</summary>
    public static readonly CallSettings Defaults = new(null);

    /// <summary>The settings of a call for the org alone.</summary>
    public CallSettings(OrgAiSettings? org) => Org = org;

    /// <summary>The settings of a call for <paramref name="customerId"/> of the org.</summary>
    public CallSettings(OrgAiSettings? org, string customerId, CustomerAiSettings? customer)
    {
        Org = org;
        CustomerId = customerId;
        Customer = customer;
    }

    /// <summary>The org's stored settings, or null when it has none.</summary>
    public OrgAiSettings? Org { get; }

    /// <summary>The customer the call is made for, or null.</summary>
    public string? CustomerId { get; }

    /// <summary>The customer's stored settings, or null when it has none (or the call names none).</summary>
    public CustomerAiSettings? Customer { get; }

    /// <summary>The default mode, or null.</summary>
    public string? ModeDefault => Customer?.ModeDefault ?? Org?.ModeDefault;

    /// <summary>Whether <c>x-aigw-mode</c> may override the mode.</summary>
    public bool ClientModeOverride => Customer?.ClientModeOverride ?? Org?.ClientModeOverride ?? true;

    /// <summary>Whether the call's answers may be cached.</summary>
    public bool CacheEnabled => Customer?.CacheEnabled ?? Org?.CacheEnabled ?? true;

    /// <summary>The cache TTL in seconds, or null for the route's or the gateway's.</summary>
    public int? CacheTtlSeconds => Customer?.CacheTtlSeconds ?? Org?.CacheTtlSeconds;

    /// <summary>Whether the call may join or lead identical calls in flight.</summary>
    public bool DedupeEnabled => Customer?.DedupeEnabled ?? Org?.DedupeEnabled ?? true;

    /// <summary>What of the call is stored (<c>off</c>, <c>metadata</c>, <c>redacted</c>, <c>full</c>) before the route and the request lower it.</summary>
    public string PayloadLogging => Customer?.PayloadLogging ?? Org?.PayloadLogging ?? "off";
}
