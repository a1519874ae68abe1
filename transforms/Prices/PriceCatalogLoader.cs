using AiGateway.Config;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Prices;

/// <summary>
/// Fills <see cref="PriceCatalog"/> before the gateway takes requests: the shipped price table is upserted into
/// <c>model_prices</c>, then the whole table is read (rows ops added there count too) and read again every
/// <c>Gateway:Log:PriceRefreshSeconds</c>. An invalid price file stops start-up; an unreachable store leaves the file's prices in force.
/// </summary>
internal sealed partial class PriceCatalogLoader(
    PriceCatalog catalog,
    IModelPriceStore store,
    IOptionsMonitor<GatewayOptions> options,
    TimeProvider time,
    ILogger<PriceCatalogLoader> logger) : BackgroundService
{
    private IReadOnlyList<ModelPrice> _shipped = [];

    /// <summary>The price table file; the one shipped next to the binaries unless a test says otherwise.</summary>
    internal string PriceFile { get; init; } = PriceTableFile.DefaultPath;

    /// <inheritdoc/>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    /// <summary>Reads the file into the catalog, seeds the store with it and reads the store back.</summary>
    internal async Task LoadAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(PriceFile))
        {
            // A FormatException names the file and every bad row; it stops start-up rather than logging costs as unknown.
            _shipped = PriceTableFile.Load(PriceFile);
            catalog.Replace(new PriceBook(_shipped));
        }
        else
        {
            Log.PriceFileMissing(logger, PriceFile);
        }

        try
        {
            if (_shipped.Count > 0)
            {
                await store.UpsertAsync(_shipped, cancellationToken);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.StoreUnavailable(logger, ex.Message);
            return;
        }

        await RefreshAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.CurrentValue.Log.PriceRefreshSeconds), time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await RefreshAsync(stoppingToken);
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var stored = await store.LoadAsync(cancellationToken);
            // Stored rows come last so that they win over the file's row of the same (model, effective_from).
            catalog.Replace(new PriceBook(_shipped.Concat(stored)));
        }
        catch (Exception ex)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                Log.StoreUnavailable(logger, ex.Message);
            }
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 6012, EventName = "PriceFileMissing", Level = LogLevel.Warning,
            Message = "The price table {File} is missing; only prices in model_prices apply.")]
        public static partial void PriceFileMissing(ILogger logger, string file);

        [LoggerMessage(EventId = 6013, EventName = "PriceStoreUnavailable", Level = LogLevel.Warning,
            Message = "Could not read or seed model_prices ({Reason}); the prices loaded before stay in force.")]
        public static partial void StoreUnavailable(ILogger logger, string reason);
    }
}
