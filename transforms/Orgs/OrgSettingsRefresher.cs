using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// Loads every org's and customer's settings before the gateway takes requests, then reads the rows changed since every
/// <see cref="RefreshInterval"/>, so that a change made on another instance (or by the CLI) applies here within the
/// contract's 5 s (CONTRACT §8, §10.2). An unreachable store leaves the settings loaded before in force.
/// </summary>
internal sealed partial class OrgSettingsRefresher(
    IOrgSettingsStore store,
    ICustomerSettingsStore customers,
    OrgSettingsSnapshot snapshot,
    TimeProvider time,
    ILogger<OrgSettingsRefresher> logger) : BackgroundService
{
    // Rows are read again from a little before the latest updated_at seen: a row whose transaction began earlier may commit later.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);
    private bool _failing;

    /// <summary>How often changed rows are read.</summary>
    internal TimeSpan RefreshInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Reads the rows changed since the last refresh (all rows the first time) into the snapshot.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var row in await store.ChangedSinceAsync(snapshot.Latest - Overlap, cancellationToken))
            {
                snapshot.Apply(row);
            }

            foreach (var row in await customers.ChangedSinceAsync(snapshot.LatestCustomer - Overlap, cancellationToken))
            {
                snapshot.Apply(row);
            }

            if (_failing)
            {
                _failing = false;
                Log.StoreBack(logger);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            if (!_failing)
            {
                _failing = true;
                Log.StoreUnavailable(logger, ex.Message);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(RefreshInterval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RefreshAsync(stoppingToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 9001, EventName = "OrgSettingsStoreUnavailable", Level = LogLevel.Warning,
            Message = "Could not read org_ai_settings or customer_ai_settings ({Reason}); the settings read before stay in force.")]
        public static partial void StoreUnavailable(ILogger logger, string reason);

        [LoggerMessage(EventId = 9002, EventName = "OrgSettingsStoreBack", Level = LogLevel.Information, Message = "org_ai_settings and customer_ai_settings are readable again.")]
        public static partial void StoreBack(ILogger logger);
    }
}
