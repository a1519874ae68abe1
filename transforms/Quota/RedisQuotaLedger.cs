using System.Collections.Concurrent;
using AiGateway.Config;
using AiGateway.Transforms.Redis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The quota ledger in Redis, shared by every instance: one script admits a call against all its levels
/// (<see cref="RedisQuotaScripts.Admit"/>, one round trip, only when a limit or an enforced budget applies) and one
/// settles it (<see cref="RedisQuotaScripts.Settle"/>, sent without waiting for it). A count is reconciled with the log
/// once: the first instance to find it unseeded (a new month, or Redis lost it) sets it from the log. The spend of a call
/// that no limit or enforced budget admitted is counted in batches (every <see cref="BatchInterval"/>, one script per
/// account), not per call: nothing waits on those counts but AUTO mode and the operator API, which read this instance's
/// unsent part too. While Redis is unreachable, calls are admitted and counted by the in-process ledger (per-instance
/// limits, no failure), and counts that could not reach Redis wait in memory for the next batch.
/// </summary>
internal sealed partial class RedisQuotaLedger(
    RedisConnection redis, MemoryQuotaLedger local, IMonthSpendStore store, IOptionsMonitor<GatewayOptions> options, TimeProvider time,
    ILogger<RedisQuotaLedger> logger) : IQuotaLedger, IHostedService, IAsyncDisposable
{
    /// <summary>How often counts waiting in memory are sent to Redis.</summary>
    // A second: under load a batch carries hundreds of calls either way; at a few calls a second, a shorter interval
    // would send one script per call (issue 21 measured it as the costliest command of an uncached call).
    internal static readonly TimeSpan BatchInterval = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan FailureLogInterval = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<(SpendAccount Account, DateOnly Month), MonthSpend> _pending = new();
    private readonly SemaphoreSlim _sending = new(1, 1);
    private ITimer? _batches;
    private readonly ConcurrentDictionary<(SpendAccount Account, DateOnly Month), Lazy<Task>> _seeding = new();

    // Counts this instance has seen reconciled with the log (bounded: it starts over, so client-chosen customers cannot grow it).
    private readonly ConcurrentDictionary<(SpendAccount Account, DateOnly Month), byte> _reconciled = new();
    private long _lastFailureLogTicks;

    /// <inheritdoc/>
    public async ValueTask<QuotaDecision> AdmitAsync(QuotaTicket ticket, CancellationToken cancellationToken)
    {
        if (redis.Database is { } database)
        {
            try
            {
                // A level whose account was never reconciled is seeded from the log, then the claim is made again.
                for (var attempt = 0; attempt < 3; attempt++)
                {
                    var result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisQuotaScripts.Admit, AdmitKeys(ticket), AdmitArguments(ticket)))!;
                    switch ((int)result[0])
                    {
                        case 1:
                            ticket.Admitted = true;
                            return new QuotaDecision { Admitted = true, Requests = Window(result, 1), Tokens = Window(result, 4) };
                        case 0:
                            var level = ticket.Levels[(int)result[1]];
                            return new QuotaDecision
                            {
                                Admitted = false, RefusedBy = level, Kind = (QuotaKind)(int)result[2],
                                RetryAfter = TimeSpan.FromMilliseconds((long)result[3]), Final = (int)result[4] == 1,
                            };
                        default:
                            await SeedAsync(database, ticket.Levels[(int)result[1]].Account!.Value, ticket.Month);
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                redis.ReportFailure(ex);
            }
        }

        ticket.AdmittedLocally = true;
        return await local.AdmitAsync(ticket, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask SettleAsync(QuotaTicket ticket, MonthSpend spent)
    {
        if (ticket.AdmittedLocally)
        {
            local.Settle(ticket, spent);
            return ValueTask.CompletedTask;
        }

        foreach (var account in ticket.Accounts)
        {
            if (!_reconciled.ContainsKey((account, ticket.Month)))
            {
                return SettleAfterReconcilingAsync(ticket, spent);
            }
        }

        Send(ticket, spent);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _batches = time.CreateTimer(static ledger => _ = ((RedisQuotaLedger)ledger!).SendPendingAsync(), this, BatchInterval, BatchInterval);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _batches?.Dispose();
        await SendPendingAsync();
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _batches?.Dispose();
        _sending.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Sends the counts waiting in memory, one script per account; what fails waits for the next batch.</summary>
    internal async Task SendPendingAsync()
    {
        if (_pending.IsEmpty || redis.Database is not { } database || !await _sending.WaitAsync(0))
        {
            return;
        }

        try
        {
            foreach (var key in _pending.Keys)
            {
                if (_pending.TryRemove(key, out var waiting) && waiting != default)
                {
                    await CountAsync(database, key.Account, key.Month, waiting);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
        }
        catch (Exception ex)
        {
            // A timer's task: nothing may escape it.
            LogFailure(ex);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<MonthSpend> SpentAsync(SpendAccount account, DateOnly month, CancellationToken cancellationToken)
    {
        if (redis.Database is not { } database)
        {
            return await local.SpentAsync(account, month, cancellationToken) + _pending.GetValueOrDefault((account, month));
        }

        try
        {
            var keys = RedisBudgetKeys.For(account, month);
            var values = await database.StringGetAsync(keys);
            if (values[2].IsNull)
            {
                await SeedAsync(database, account, month);
                values = await database.StringGetAsync(keys);
            }

            return new MonthSpend(values[0].IsNull ? 0 : (long)values[0], values[1].IsNull ? 0 : (long)values[1]) + _pending.GetValueOrDefault((account, month));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            return await local.SpentAsync(account, month, cancellationToken) + _pending.GetValueOrDefault((account, month));
        }
    }

    // Nothing to give back for a call no limit admitted: its spend joins the next batch; an admitted call's claim is sent now.
    private void Send(QuotaTicket ticket, MonthSpend spent)
    {
        if (ticket.Admitted)
        {
            _ = SendSettlementAsync(ticket, spent);
        }
        else if (spent != default)
        {
            foreach (var account in ticket.Accounts)
            {
                Defer(account, ticket.Month, spent);
            }
        }
    }

    // The first call of an account this instance has not seen reconciled: reconcile it now, before the call's log row exists.
    private async ValueTask SettleAfterReconcilingAsync(QuotaTicket ticket, MonthSpend spent)
    {
        if (redis.Database is { } database)
        {
            try
            {
                foreach (var account in ticket.Accounts)
                {
                    if (!_reconciled.ContainsKey((account, ticket.Month)))
                    {
                        await SeedAsync(database, account, ticket.Month);
                    }
                }
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                redis.ReportFailure(ex);
            }
            catch (Exception ex)
            {
                // The log could not be read: count anyway, and reconcile when next asked.
                LogFailure(ex);
            }
        }

        Send(ticket, spent);
    }

    private async Task SendSettlementAsync(QuotaTicket ticket, MonthSpend spent)
    {
        try
        {
            if (redis.Database is not { } database)
            {
                foreach (var account in ticket.Accounts)
                {
                    Defer(account, ticket.Month, spent - (ticket.Admitted && ticket.Reserves(account) ? ticket.Estimate : default));
                }

                return;
            }

            var missing = (RedisResult[])(await database.ScriptEvaluateAsync(RedisQuotaScripts.Settle, SettleKeys(ticket), SettleArguments(ticket, spent)))!;
            foreach (var index in missing)
            {
                // Not reconciled yet: counted once seeded from the log (which does not hold this call yet).
                var account = ticket.Accounts[(int)index];
                await CountAsync(database, account, ticket.Month, spent - (ticket.Admitted && ticket.Reserves(account) ? ticket.Estimate : default));
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            redis.ReportFailure(ex);
            foreach (var account in ticket.Accounts)
            {
                Defer(account, ticket.Month, spent - (ticket.Admitted && ticket.Reserves(account) ? ticket.Estimate : default));
            }
        }
        catch (Exception ex)
        {
            // A fire-and-forget task: nothing may escape it.
            LogFailure(ex);
        }
    }

    private async Task CountAsync(IDatabase database, SpendAccount account, DateOnly month, MonthSpend spent)
    {
        try
        {
            if ((long)await database.ScriptEvaluateAsync(RedisQuotaScripts.Count, RedisBudgetKeys.For(account, month), [spent.Tokens, spent.UsdUnits]) == 0)
            {
                // Redis lost the count since (or never had it): seeded from the log, then counted.
                _reconciled.TryRemove((account, month), out _);
                await SeedAsync(database, account, month);
                if ((long)await database.ScriptEvaluateAsync(RedisQuotaScripts.Count, RedisBudgetKeys.For(account, month), [spent.Tokens, spent.UsdUnits]) == 0)
                {
                    Defer(account, month, spent);
                }
            }
        }
        catch
        {
            Defer(account, month, spent);
            throw;
        }
    }

    private void Defer(SpendAccount account, DateOnly month, MonthSpend spent) =>
        _pending.AddOrUpdate((account, month), spent, (_, waiting) => waiting + spent);

    private async Task SeedAsync(IDatabase database, SpendAccount account, DateOnly month)
    {
        var seeding = _seeding.GetOrAdd((account, month), key => new Lazy<Task>(() => SeedCoreAsync(database, key.Account, key.Month)));
        try
        {
            await seeding.Value;
        }
        finally
        {
            _seeding.TryRemove(new KeyValuePair<(SpendAccount, DateOnly), Lazy<Task>>((account, month), seeding));
        }
    }

    private async Task SeedCoreAsync(IDatabase database, SpendAccount account, DateOnly month)
    {
        var logged = await store.ReadAsync(month, account, CancellationToken.None);
        // Kept two months past the month's end, so that the last month's count can still be looked at.
        var expiresAt = BudgetMonth.Start(month.AddMonths(3)).ToUnixTimeMilliseconds();
        await database.ScriptEvaluateAsync(RedisQuotaScripts.Seed, RedisBudgetKeys.For(account, month), [logged.Tokens, logged.UsdUnits, expiresAt]);
        Reconciled(account, month);
    }

    private void Reconciled(SpendAccount account, DateOnly month)
    {
        if (_reconciled.Count >= 100_000)
        {
            _reconciled.Clear();
        }

        _reconciled[(account, month)] = 0;
    }

    private RedisKey[] AdmitKeys(QuotaTicket ticket)
    {
        var keys = new RedisKey[ticket.Levels.Length * 5];
        var org = RedisBudgetKeys.For(SpendAccount.Org(ticket.OrgId), ticket.Month);
        for (var i = 0; i < ticket.Levels.Length; i++)
        {
            var level = ticket.Levels[i];
            var scope = RedisBudgetKeys.Level(ticket.OrgId, level.Scope);
            // A level without a budget names the org's count, in the same slot, which the script then leaves alone.
            var account = level.EnforcesBudget ? RedisBudgetKeys.For(level.Account!.Value, ticket.Month) : org;
            (keys[5 * i], keys[(5 * i) + 1]) = (scope[0], scope[1]);
            (keys[(5 * i) + 2], keys[(5 * i) + 3], keys[(5 * i) + 4]) = (account[0], account[1], account[2]);
        }

        return keys;
    }

    private RedisValue[] AdmitArguments(QuotaTicket ticket)
    {
        var args = new RedisValue[5 + (ticket.Levels.Length * 5)];
        (args[0], args[1], args[2]) = (ticket.Estimate.Tokens, ticket.Estimate.UsdUnits, ticket.CallId);
        (args[3], args[4]) = ((long)options.CurrentValue.Limits.ConcurrencyLeaseSeconds * 1000, ticket.Levels.Length);
        for (var i = 0; i < ticket.Levels.Length; i++)
        {
            var level = ticket.Levels[i];
            var at = 5 + (5 * i);
            (args[at], args[at + 1], args[at + 2]) = (level.RpmLimit ?? 0, level.TpmLimit ?? 0, level.MaxConcurrent ?? 0);
            (args[at + 3], args[at + 4]) = level.EnforcesBudget ? (level.UsdBudgetUnits, level.TokenBudget ?? -1) : (-1, -1);
        }

        return args;
    }

    private static RedisKey[] SettleKeys(QuotaTicket ticket)
    {
        var keys = new RedisKey[(ticket.Levels.Length * 2) + (ticket.Accounts.Length * 3)];
        for (var i = 0; i < ticket.Levels.Length; i++)
        {
            var scope = RedisBudgetKeys.Level(ticket.OrgId, ticket.Levels[i].Scope);
            (keys[2 * i], keys[(2 * i) + 1]) = (scope[0], scope[1]);
        }

        for (var j = 0; j < ticket.Accounts.Length; j++)
        {
            var account = RedisBudgetKeys.For(ticket.Accounts[j], ticket.Month);
            var at = (ticket.Levels.Length * 2) + (3 * j);
            (keys[at], keys[at + 1], keys[at + 2]) = (account[0], account[1], account[2]);
        }

        return keys;
    }

    private static RedisValue[] SettleArguments(QuotaTicket ticket, MonthSpend spent)
    {
        var args = new RedisValue[8 + (ticket.Levels.Length * 2) + ticket.Accounts.Length];
        (args[0], args[1], args[2]) = (ticket.Admitted ? 1 : 0, ticket.Estimate.Tokens, ticket.Estimate.UsdUnits);
        (args[3], args[4], args[5]) = (spent.Tokens, spent.UsdUnits, ticket.CallId);
        (args[6], args[7]) = (ticket.Levels.Length, ticket.Accounts.Length);
        for (var i = 0; i < ticket.Levels.Length; i++)
        {
            (args[8 + (2 * i)], args[9 + (2 * i)]) = (ticket.Levels[i].TpmLimit ?? 0, ticket.Levels[i].MaxConcurrent ?? 0);
        }

        for (var j = 0; j < ticket.Accounts.Length; j++)
        {
            args[8 + (ticket.Levels.Length * 2) + j] = ticket.Reserves(ticket.Accounts[j]) ? 1 : 0;
        }

        return args;
    }

    private static RateWindow? Window(RedisResult[] result, int at) =>
        (long)result[at] < 0 ? null : new RateWindow((long)result[at], (long)result[at + 1], TimeSpan.FromMilliseconds((long)result[at + 2]));

    private void LogFailure(Exception exception)
    {
        var now = DateTime.UtcNow.Ticks;
        var last = Interlocked.Read(ref _lastFailureLogTicks);
        if (now - last >= FailureLogInterval.Ticks && Interlocked.CompareExchange(ref _lastFailureLogTicks, now, last) == last)
        {
            Log.SettleFailed(logger, exception.Message);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9012, EventName = "BudgetCountFailed", Level = LogLevel.Warning,
            Message = "Could not settle a call's quota or reconcile a budget count ({Reason}); its count is kept in memory and applied later.")]
        public static partial void SettleFailed(ILogger logger, string reason);
    }
}
