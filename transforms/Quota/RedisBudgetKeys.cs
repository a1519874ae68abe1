using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// Redis names of an org's count for one month, hash-tagged on org and month so that they share a Redis Cluster slot
/// (the scripts touch all three): <c>aigw:budget:{ORG:YYYY-MM}:tokens</c> (billed tokens),
/// <c>…:usd</c> (cost in units of 10⁻¹⁰ USD, an integer so that INCRBY stays exact) and <c>…:seeded</c>
/// (present once the count was reconciled with the log).
/// </summary>
internal static class RedisBudgetKeys
{
    // Every billed call names its org's keys: made once per org and month, not per call.
    private static readonly RedisKeyMemo<(string OrgId, DateOnly Month)> Made = new(static name => Make(name.OrgId, name.Month), 10_000);

    /// <summary>The three keys of <paramref name="orgId"/>'s count for <paramref name="month"/>: tokens, USD units, seeded marker.</summary>
    public static RedisKey[] For(string orgId, DateOnly month) => Made.For((orgId, month));

    private static RedisKey[] Make(string orgId, DateOnly month)
    {
        var prefix = "aigw:budget:{" + orgId + ":" + month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) + "}:";
        return [prefix + "tokens", prefix + "usd", prefix + "seeded"];
    }
}
