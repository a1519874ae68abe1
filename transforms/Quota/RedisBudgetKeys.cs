using AiGateway.Transforms.Redis;
using StackExchange.Redis;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// Redis names of the quota of an org, all hash-tagged on the org so that one script can read and change every level
/// and account of a call in one Redis Cluster slot. An account's count for one month: <c>aigw:budget:{ORG}:SCOPE:YYYY-MM:tokens</c>
/// (billed tokens), <c>…:usd</c> (cost in units of 10⁻¹⁰ USD, an integer so that INCRBY stays exact) and <c>…:seeded</c>
/// (present once the count was reconciled with the log). A level's token buckets: the hash <c>aigw:rate:{ORG}:SCOPE</c>
/// (r, rt: requests and when; t, tt: tokens and when); its calls in flight: the sorted set <c>aigw:conc:{ORG}:SCOPE</c>
/// (call ids scored by when their slot lapses if their instance dies).
/// </summary>
internal static class RedisBudgetKeys
{
    // Every billed call names its accounts' keys: made once per account and month, not per call.
    private static readonly RedisKeyMemo<(SpendAccount Account, DateOnly Month)> Made = new(static name => Make(name.Account, name.Month), 100_000);
    private static readonly RedisKeyMemo<(string OrgId, string Scope)> Levels = new(static name => MakeLevel(name.OrgId, name.Scope), 100_000);

    /// <summary>The three keys of <paramref name="orgId"/>'s own count for <paramref name="month"/>: tokens, USD units, seeded marker.</summary>
    public static RedisKey[] For(string orgId, DateOnly month) => For(SpendAccount.Org(orgId), month);

    /// <summary>The three keys of <paramref name="account"/>'s count for <paramref name="month"/>: tokens, USD units, seeded marker.</summary>
    public static RedisKey[] For(SpendAccount account, DateOnly month) => Made.For((account, month));

    /// <summary>The two keys of a level: its token buckets and its calls in flight.</summary>
    public static RedisKey[] Level(string orgId, string scope) => Levels.For((orgId, scope));

    private static RedisKey[] Make(SpendAccount account, DateOnly month)
    {
        var prefix = "aigw:budget:{" + account.OrgId + "}:" + account.Scope + ":" + month.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture) + ":";
        return [prefix + "tokens", prefix + "usd", prefix + "seeded"];
    }

    private static RedisKey[] MakeLevel(string orgId, string scope) =>
        ["aigw:rate:{" + orgId + "}:" + scope, "aigw:conc:{" + orgId + "}:" + scope];
}
