using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Quota;

/// <summary>
/// The budget count without Redis: per instance, in memory. Before the gateway takes requests it reads the current
/// month's spend of every org from the log's rollup, so a restart loses no count; from then on every call this
/// process completes is added here (its log row, written later, is never read back, so nothing counts twice).
/// </summary>
internal sealed partial class MemoryBudgetCounter(IMonthSpendStore store, TimeProvider time, ILogger<MemoryBudgetCounter> logger)
    : IBudgetCounter, IHostedService
{
    private readonly ConcurrentDictionary<(string Org, DateOnly Month), Count> _counts = new();
    private DateOnly _latestMonth;

    /// <inheritdoc/>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var month = BudgetMonth.Of(time.GetUtcNow());
        _latestMonth = month;
        try
        {
            foreach (var (org, spent) in await store.ReadAsync(month, null, cancellationToken))
            {
                _counts.GetOrAdd((org, month), _ => new Count()).Add(spent);
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
    public ValueTask<MonthSpend> GetAsync(string orgId, DateOnly month, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_counts.TryGetValue((orgId, month), out var count) ? count.Read() : default);

    /// <inheritdoc/>
    public void Add(string orgId, DateOnly month, MonthSpend spend)
    {
        if (month > _latestMonth)
        {
            _latestMonth = month;
            // Counts of months before the previous one no longer decide anything.
            foreach (var key in _counts.Keys.Where(k => k.Month < month.AddMonths(-1)))
            {
                _counts.TryRemove(key, out _);
            }
        }

        _counts.GetOrAdd((orgId, month), _ => new Count()).Add(spend);
    }

    private sealed class Count
    {
        private long _tokens;
        private long _usdUnits;

        public void Add(MonthSpend spend)
        {
            Interlocked.Add(ref _tokens, spend.Tokens);
            Interlocked.Add(ref _usdUnits, spend.UsdUnits);
        }

        public MonthSpend Read() => new(Interlocked.Read(ref _tokens), Interlocked.Read(ref _usdUnits));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9011, EventName = "BudgetReconcileFailed", Level = LogLevel.Warning,
            Message = "Could not read this month's spend from ai_cost_daily ({Reason}); budgets count from zero in this process.")]
        public static partial void ReconcileFailed(ILogger logger, string reason);
    }
}
