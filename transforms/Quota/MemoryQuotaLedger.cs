using System.Collections.Concurrent;
using AiGateway.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The quota ledger without Redis: limits and budgets per instance, in memory. Each org's levels and accounts are kept
/// under one lock, so a call's claim on all of them is taken at once or not at all. Spend counts are read back from the
/// log: every account with spend this month before the gateway takes requests, any other the first time it is needed
/// (a new month, a new customer or key, or one forgotten to stay within <c>Gateway:Limits:MaxTrackedScopes</c>).
/// </summary>
internal sealed partial class MemoryQuotaLedger(IMonthSpendStore store, TimeProvider time, IOptionsMonitor<GatewayOptions> options, ILogger<MemoryQuotaLedger> logger)
    : IQuotaLedger, IHostedService
{
    private readonly ConcurrentDictionary<string, OrgQuota> _orgs = new(StringComparer.Ordinal);
    private int _tracked;

    /// <summary>Limit states and spend counts kept now.</summary>
    internal int Tracked => Volatile.Read(ref _tracked);

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var month = BudgetMonth.Of(time.GetUtcNow());
        try
        {
            foreach (var (account, spent) in await store.ReadAllAsync(month, cancellationToken))
            {
                var org = Org(account.OrgId);
                lock (org.Gate)
                {
                    var count = org.Count(account, month, ref _tracked);
                    count.Spent += spent;
                    count.Seeding = Task.CompletedTask;
                }
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ReconcileFailed(logger, ex.Message);
        }
    }

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public async ValueTask<QuotaDecision> AdmitAsync(QuotaTicket ticket, CancellationToken cancellationToken)
    {
        foreach (var level in ticket.Levels)
        {
            if (level.EnforcesBudget)
            {
                await SeededAsync(level.Account!.Value, ticket.Month, cancellationToken);
            }
        }

        var org = Org(ticket.OrgId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (org.Gate)
        {
            var states = new ScopeState[ticket.Levels.Length];
            for (var i = 0; i < states.Length; i++)
            {
                var level = ticket.Levels[i];
                var state = states[i] = org.Scope(level.Scope, ref _tracked);
                state.TouchedMs = now;
                if (Refusal(level, state, level.EnforcesBudget ? org.Count(level.Account!.Value, ticket.Month, ref _tracked) : null, ticket.Estimate, now) is { } refused)
                {
                    return refused;
                }
            }

            RateWindow? requests = null, tokens = null;
            for (var i = 0; i < states.Length; i++)
            {
                var level = ticket.Levels[i];
                var state = states[i];
                if (level.RpmLimit is { } rpm)
                {
                    var left = state.Requests.Level(rpm, now) - 1;
                    state.Requests.Set(left, now);
                    requests = Tighter(requests, RateBucket.Window(rpm, left));
                }

                if (level.TpmLimit is { } tpm)
                {
                    var left = state.Tokens.Level(tpm, now) - ticket.Estimate.Tokens;
                    state.Tokens.Set(left, now);
                    tokens = Tighter(tokens, RateBucket.Window(tpm, left));
                }

                if (level.MaxConcurrent is not null)
                {
                    state.Concurrent++;
                }

                if (level.EnforcesBudget)
                {
                    org.Count(level.Account!.Value, ticket.Month, ref _tracked).Spent += ticket.Estimate;
                }
            }

            ticket.Admitted = true;
            return new QuotaDecision { Admitted = true, Requests = requests, Tokens = tokens };
        }
    }

    /// <inheritdoc/>
    public void Settle(QuotaTicket ticket, MonthSpend spent)
    {
        var org = Org(ticket.OrgId);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        lock (org.Gate)
        {
            if (ticket.Admitted)
            {
                foreach (var level in ticket.Levels)
                {
                    var state = org.Scope(level.Scope, ref _tracked);
                    if (level.TpmLimit is { } tpm)
                    {
                        // Gives back what the estimate reserved and the call did not use, or takes what it used beyond.
                        state.Tokens.Set(state.Tokens.Level(tpm, now) + ticket.Estimate.Tokens - spent.Tokens, now);
                    }

                    if (level.MaxConcurrent is not null)
                    {
                        state.Concurrent--;
                    }
                }
            }

            foreach (var account in ticket.Accounts)
            {
                var count = org.Count(account, ticket.Month, ref _tracked);
                count.Spent += spent - (ticket.Admitted && ticket.Reserves(account) ? ticket.Estimate : default);
                // Counted before its month was read back from the log: read it now, so the count ends up whole.
                count.Seeding ??= SeedAsync(org, account, ticket.Month);
            }
        }

        if (Volatile.Read(ref _tracked) > options.CurrentValue.Limits.MaxTrackedScopes)
        {
            Forget(now);
        }
    }

    /// <inheritdoc/>
    public async ValueTask<MonthSpend> SpentAsync(SpendAccount account, DateOnly month, CancellationToken cancellationToken)
    {
        var count = await SeededAsync(account, month, cancellationToken);
        var org = Org(account.OrgId);
        lock (org.Gate)
        {
            return count.Spent;
        }
    }

    private static QuotaDecision? Refusal(QuotaLevel level, ScopeState state, SpendCount? count, MonthSpend estimate, long now)
    {
        if (level.RpmLimit is { } rpm && state.Requests.Level(rpm, now) < 1)
        {
            return Refused(level, QuotaKind.Requests, RateBucket.Wait(1, state.Requests.Level(rpm, now), rpm), final: false);
        }

        if (level.TpmLimit is { } tpm && state.Tokens.Level(tpm, now) < estimate.Tokens)
        {
            return Refused(level, QuotaKind.Tokens, RateBucket.Wait(estimate.Tokens, state.Tokens.Level(tpm, now), tpm), final: estimate.Tokens > tpm);
        }

        if (level.MaxConcurrent is { } concurrent && state.Concurrent >= concurrent)
        {
            return Refused(level, QuotaKind.Concurrency, TimeSpan.FromSeconds(1), final: false);
        }

        if (count is not null && BudgetShare.IsUsedUp(level, count.Spent))
        {
            return Refused(level, QuotaKind.Budget, TimeSpan.Zero, final: true);
        }

        return null;
    }

    private static QuotaDecision Refused(QuotaLevel level, QuotaKind kind, TimeSpan retryAfter, bool final) =>
        new() { Admitted = false, RefusedBy = level, Kind = kind, RetryAfter = retryAfter, Final = final };

    private static RateWindow Tighter(RateWindow? current, RateWindow candidate) =>
        current is { } known && known.Remaining <= candidate.Remaining ? known : candidate;

    private OrgQuota Org(string orgId)
    {
        if (_orgs.TryGetValue(orgId, out var org))
        {
            return org;
        }

        org = _orgs.GetOrAdd(orgId, static _ => new OrgQuota());
        return org;
    }

    private async Task<SpendCount> SeededAsync(SpendAccount account, DateOnly month, CancellationToken cancellationToken)
    {
        var org = Org(account.OrgId);
        SpendCount count;
        Task seeding;
        lock (org.Gate)
        {
            count = org.Count(account, month, ref _tracked);
            seeding = count.Seeding ??= SeedAsync(org, account, month);
        }

        await seeding.WaitAsync(cancellationToken);
        return count;
    }

    private async Task SeedAsync(OrgQuota org, SpendAccount account, DateOnly month)
    {
        // Off the caller's lock: the store is read on the thread pool.
        await Task.Yield();
        try
        {
            var logged = await store.ReadAsync(month, account, CancellationToken.None);
            lock (org.Gate)
            {
                org.Count(account, month, ref _tracked).Spent += logged;
            }
        }
        catch (Exception ex)
        {
            // Decide on what this process counted rather than fail the calls.
            Log.ReconcileFailed(logger, ex.Message);
        }
    }

    // Drops what no call needs now: full idle buckets, and counts of months before the previous one; then, while still
    // over the bound, the least recently used counts of customers and keys (read back from the log when next needed).
    private void Forget(long now)
    {
        var month = BudgetMonth.Of(time.GetUtcNow());
        foreach (var org in _orgs.Values)
        {
            lock (org.Gate)
            {
                Interlocked.Add(ref _tracked, -org.ForgetIdle(now, month.AddMonths(-1)));
            }
        }

        var over = Volatile.Read(ref _tracked) - (options.CurrentValue.Limits.MaxTrackedScopes * 9 / 10);
        if (over <= 0)
        {
            return;
        }

        foreach (var org in _orgs.Values)
        {
            lock (org.Gate)
            {
                var forgotten = org.ForgetCounts(over);
                Interlocked.Add(ref _tracked, -forgotten);
                over -= forgotten;
            }

            if (over <= 0)
            {
                return;
            }
        }
    }

    /// <summary>One org's limit states and spend counts; every member is used under <see cref="Gate"/>.</summary>
    private sealed class OrgQuota
    {
        private readonly Dictionary<string, ScopeState> _scopes = new(StringComparer.Ordinal);
        private readonly Dictionary<(SpendAccount Account, DateOnly Month), SpendCount> _counts = [];
        private long _uses;

        public Lock Gate { get; } = new();

        public ScopeState Scope(string scope, ref int tracked)
        {
            if (!_scopes.TryGetValue(scope, out var state))
            {
                _scopes[scope] = state = new ScopeState();
                Interlocked.Increment(ref tracked);
            }

            return state;
        }

        public SpendCount Count(SpendAccount account, DateOnly month, ref int tracked)
        {
            if (!_counts.TryGetValue((account, month), out var count))
            {
                _counts[(account, month)] = count = new SpendCount();
                Interlocked.Increment(ref tracked);
            }

            count.LastUse = ++_uses;
            return count;
        }

        public int ForgetIdle(long now, DateOnly oldestMonth)
        {
            var forgotten = 0;
            foreach (var (scope, state) in _scopes)
            {
                // Without its limits at hand, a minute untouched with nothing in flight means every bucket has refilled.
                if (state.Concurrent == 0 && now - state.TouchedMs > 60_000 && _scopes.Remove(scope))
                {
                    forgotten++;
                }
            }

            foreach (var key in _counts.Keys.Where(k => k.Month < oldestMonth).ToList())
            {
                _counts.Remove(key);
                forgotten++;
            }

            return forgotten;
        }

        public int ForgetCounts(int most)
        {
            var oldest = _counts.Where(c => c.Key.Account.CustomerId is not null || c.Key.Account.KeyId is not null)
                .OrderBy(c => c.Value.LastUse).Take(most).Select(c => c.Key).ToList();
            foreach (var key in oldest)
            {
                _counts.Remove(key);
            }

            return oldest.Count;
        }
    }

    private sealed class ScopeState
    {
        public RateBucket Requests;
        public RateBucket Tokens;

        public int Concurrent { get; set; }

        public long TouchedMs { get; set; }
    }

    private sealed class SpendCount
    {
        public MonthSpend Spent { get; set; }

        public Task? Seeding { get; set; }

        public long LastUse { get; set; }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9011, EventName = "BudgetReconcileFailed", Level = LogLevel.Warning,
            Message = "Could not read this month's spend from the log ({Reason}); budgets count what this process saw.")]
        public static partial void ReconcileFailed(ILogger logger, string reason);
    }
}
