using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>Leadership of a fingerprint across instances: a Redis key set if absent, renewed by its holder, expiring if it dies.</summary>
internal static class RedisLeaderLease
{
    // Extends the lease if still ours, and counts the remote readers (both keys share the {F} slot).
    private const string RenewScript = """
        if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) end
        local watchers = redis.call('get', KEYS[2])
        return watchers and tonumber(watchers) or 0
        """;
    private const string ReleaseScript = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
    // Keys: the answer's log, the lease ({F} slot both). The log's expiry is set before the lease goes, as one command.
    private const string EndScript = """
        redis.call('pexpire', KEYS[1], ARGV[2])
        if redis.call('get', KEYS[2]) == ARGV[1] then return redis.call('del', KEYS[2]) else return 0 end
        """;

    /// <summary>Takes the lease if nobody holds it.</summary>
    public static Task<bool> TryAcquireAsync(IDatabase database, string fingerprint, string holder, TimeSpan lease) =>
        database.StringSetAsync(RedisLiveKeys.Lease(fingerprint), holder, lease, When.NotExists);

    /// <summary>Extends the lease to <paramref name="leaseMs"/> if <paramref name="holder"/> still holds it; gives how many clients on other instances read the answer.</summary>
    public static Task<RedisResult> RenewAsync(IDatabase database, string fingerprint, string holder, long leaseMs) =>
        database.ScriptEvaluateAsync(RenewScript, [RedisLiveKeys.Lease(fingerprint), RedisLiveKeys.Watchers(fingerprint)], [holder, leaseMs]);

    /// <summary>Gives the lease up, if still held.</summary>
    public static Task ReleaseAsync(IDatabase database, string fingerprint, string holder) =>
        database.ScriptEvaluateAsync(ReleaseScript, [RedisLiveKeys.Lease(fingerprint)], [holder]);

    /// <summary>After the end entry of answer <paramref name="holder"/>: keeps its <paramref name="log"/> for <paramref name="keepLog"/>, and gives the lease up if still held.</summary>
    public static Task EndAsync(IDatabase database, RedisKey log, string fingerprint, string holder, TimeSpan keepLog) =>
        database.ScriptEvaluateAsync(EndScript, [log, RedisLiveKeys.Lease(fingerprint)], [holder, (long)keepLog.TotalMilliseconds]);

    /// <summary>Whether anybody holds the lease.</summary>
    public static Task<bool> IsHeldAsync(IDatabase database, string fingerprint) => database.KeyExistsAsync(RedisLiveKeys.Lease(fingerprint));

    /// <summary>The response id the current holder is producing, or null.</summary>
    public static async Task<string?> HolderAsync(IDatabase database, string fingerprint) => await database.StringGetAsync(RedisLiveKeys.Lease(fingerprint));
}
