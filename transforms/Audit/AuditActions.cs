namespace AiGateway.Transforms.Audit;

/// <summary>The <c>action</c> names of <c>admin_audit_log</c>; each admin change records exactly one of them.</summary>
public static class AuditActions
{
    /// <summary>A virtual key was issued (<c>POST /api/keys</c>, <c>keys create</c>, or as a rotation's successor).</summary>
    public const string KeyCreate = "key.create";

    /// <summary>A key's policy was changed (<c>PATCH /api/keys/{id}</c>).</summary>
    public const string KeyUpdate = "key.update";

    /// <summary>A key was revoked (<c>DELETE /api/keys/{id}</c>, <c>keys revoke</c>).</summary>
    public const string KeyRevoke = "key.revoke";

    /// <summary>A key was rotated: its expiry set to the end of the overlap (its successor is a <see cref="KeyCreate"/>).</summary>
    public const string KeyRotate = "key.rotate";

    /// <summary>An org's settings were changed (<c>PUT /api/orgs/{org}/settings</c>, <c>orgs set</c>).</summary>
    public const string OrgSettingsUpdate = "org.settings.update";

    /// <summary>A customer's settings were changed (<c>PUT /api/orgs/{org}/customers/{customer}/settings</c>).</summary>
    public const string CustomerSettingsUpdate = "customer.settings.update";

    /// <summary>Cache entries were purged (<c>DELETE /api/cache</c>).</summary>
    public const string CachePurge = "cache.purge";

    /// <summary>An operator cancelled a running call (<c>DELETE /api/inflight/{id}</c>, <c>inflight cancel</c>).</summary>
    public const string InflightCancel = "inflight.cancel";

    /// <summary>An operator read a call's stored payload (<c>GET /api/logs/{request_id}</c>); recorded before the read.</summary>
    public const string PayloadView = "payload.view";

    /// <summary>An operator erased an org's or a customer's stored payloads (<c>DELETE /api/logs</c>); recorded before the erasure.</summary>
    public const string PayloadErase = "payload.erase";

    /// <summary>Every action this build records.</summary>
    public static IReadOnlyList<string> All { get; } =
        [KeyCreate, KeyUpdate, KeyRevoke, KeyRotate, OrgSettingsUpdate, CustomerSettingsUpdate, CachePurge, InflightCancel, PayloadView, PayloadErase];

    /// <summary>The target naming a key: <c>key:&lt;id&gt;</c>.</summary>
    public static string KeyTarget(string keyId) => "key:" + keyId;

    /// <summary>The target naming an org: <c>org:&lt;org&gt;</c>.</summary>
    public static string OrgTarget(string orgId) => "org:" + orgId;

    /// <summary>The target naming a call: <c>call:&lt;request id&gt;</c>.</summary>
    public static string CallTarget(Guid requestId) => "call:" + requestId.ToString("D");

    /// <summary>The target naming a customer of an org: <c>customer:&lt;org&gt;/&lt;customer&gt;</c>.</summary>
    public static string CustomerTarget(string orgId, string customerId) => "customer:" + orgId + "/" + customerId;
}
