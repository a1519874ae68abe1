using System.Collections.Concurrent;
using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The budget count in Redis, shared by every instance (<see cref="RedisBudgetKeys"/>). A count is reconciled with
/// the log once: the first instance to find it unseeded (a new month, or Redis lost it) sets it to the month's spend in
/// <c>ai_cost_daily</c>, and increments apply only to a seeded count, so none is lost to a restart of either the
/// gateway or Redis. While Redis is unreachable the increments wait in memory and the last count read is used.
/// </summary>
internal sealed partial class RedisBudgetCounter(RedisConnection redis, IMonthSpendStore store, ILogger<RedisBudgetCounter> logger) : IBudgetCounter
{
    // Applies an increment to a seeded count only: an unseeded one is first set from the log, which may already hold it.
    private const string IncrementScript = """
        if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
        redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('INCRBY', KEYS[2], ARGV[2])
        return 1
        """;

    // The first seeder wins; the counts are set (not added to) because without the marker they are not trusted.
    private const string SeedScript = """
        if not redis.call('SET', KEYS[3], '1', 'NX') then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[2])
        for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[3]) end
        return 1
        """;

    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(string Org, DateOnly Month), MonthSpend> _pending = new();
    private readonly ConcurrentDictionary<(string Org, DateOnly Month), MonthSpend> _lastRead = new();
    private readonly ConcurrentDictionary<(string Org, DateOnly Month), Lazy<Task>> _seeding = new();
    private long _lastFailureLogTicks;

    /// <inheritdoc/>
    public async ValueTask<MonthSpend> GetAsync(string orgId, DateOnly month, CancellationToken cancellationToken)
    {
        var key = (orgId, month);
        if (redis.Database is not { } database)
        {
            return Local(key);
        }

        try
        {
            if (_pending.ContainsKey(key))
            {
                await AddAsync(key, default);
            }

            var keys = RedisBudgetKeys.For(orgId, month);
            var values = await database.StringGetAsync(keys);
            if (values[2].IsNull)
            {
                await SeedAsync(database, key);
                values = await database.StringGetAsync(keys);
            }

            var spent = new MonthSpend(values[0].IsNull ? 0 : (long)values[0], values[1].IsNull ? 0 : (long)values[1]);
            _lastRead[key] = spent;
            return spent + _pending.GetValueOrDefault(key);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return Local(key);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The log could not be read to seed the count: decide on what is known rather than fail the call.
            LogFailure(ex);
            return Local(key);
        }
    }

    /// <inheritdoc/>
    public void Add(string orgId, DateOnly month, MonthSpend spend) => _ = AddAsync((orgId, month), spend);

    private async Task AddAsync((string Org, DateOnly Month) key, MonthSpend spend)
    {
        if (_pending.TryRemove(key, out var waiting))
        {
            spend += waiting;
        }

        if (spend == default)
        {
            return;
        }

        if (redis.Database is not { } database)
        {
            Defer(key, spend);
            return;
        }

        try
        {
            if (!await IncrementAsync(database, key, spend))
            {
                await SeedAsync(database, key);
                if (!await IncrementAsync(database, key, spend))
                {
                    Defer(key, spend);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            Defer(key, spend);
        }
        catch (Exception ex)
        {
            // A fire-and-forget task: nothing may escape it. The increment waits for the next attempt.
            LogFailure(ex);
            Defer(key, spend);
        }
    }

    private static async Task<bool> IncrementAsync(IDatabase database, (string Org, DateOnly Month) key, MonthSpend spend) =>
        (long)await database.ScriptEvaluateAsync(IncrementScript, RedisBudgetKeys.For(key.Org, key.Month), [spend.Tokens, spend.UsdUnits]) == 1;

    private async Task SeedAsync(IDatabase database, (string Org, DateOnly Month) key)
    {
        var seeding = _seeding.GetOrAdd(key, k => new Lazy<Task>(() => SeedCoreAsync(database, k)));
        try
        {
            await seeding.Value;
        }
        finally
        {
            _seeding.TryRemove(new KeyValuePair<(string, DateOnly), Lazy<Task>>(key, seeding));
        }
    }

    private async Task SeedCoreAsync(IDatabase database, (string Org, DateOnly Month) key)
    {
        var logged = await store.ReadAsync(key.Month, key.Org, CancellationToken.None);
        var spent = logged.GetValueOrDefault(key.Org);
        // Kept two months past the month's end, so that the last month's count can still be looked at.
        var expiresAt = BudgetMonth.Start(key.Month.AddMonths(3)).ToUnixTimeMilliseconds();
        await database.ScriptEvaluateAsync(SeedScript, RedisBudgetKeys.For(key.Org, key.Month), [spent.Tokens, spent.UsdUnits, expiresAt]);
    }

    private void Defer((string Org, DateOnly Month) key, MonthSpend spend) => _pending.AddOrUpdate(key, spend, (_, waiting) => waiting + spend);

    private MonthSpend Local((string Org, DateOnly Month) key) => _lastRead.GetValueOrDefault(key) + _pending.GetValueOrDefault(key);

    private void LogFailure(Exception exception)
    {
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref _lastFailureLogTicks);
        if (now - last >= FailureLogInterval.Ticks && Interlocked.CompareExchange(ref _lastFailureLogTicks, now, last) == last)
        {
            Log.CountFailed(logger, exception.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9012, EventName = "BudgetCountFailed", Level = LogLevel.Warning,
            Message = "Could not update or reconcile a budget count ({Reason}); it is kept in memory and applied later.")]
        public static partial void CountFailed(ILogger logger, string reason);
    }
}
