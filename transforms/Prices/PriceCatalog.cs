using System.Collections.Concurrent;
using AiGateway.Config;
using AiGateway.Transforms.Endpoints;
using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.Prices;

/// <summary>The price book in force, replaced as a whole when prices are reloaded; costs calls for the request path.</summary>
internal sealed partial class PriceCatalog(ILogger<PriceCatalog> logger)
{
    // Model names come from clients: remember only so many unpriced ones for the warn-once check.
    private const int MaxRememberedUnknownModels = 1000;

    private readonly ConcurrentDictionary<string, byte> _warned = new(StringComparer.OrdinalIgnoreCase);
    private PriceBook _current = PriceBook.Empty;

    /// <summary>The current snapshot.</summary>
    public PriceBook Current => Volatile.Read(ref _current);

    /// <summary>Puts <paramref name="book"/> in force for every later lookup.</summary>
    public void Replace(PriceBook book) => Volatile.Write(ref _current, book);

    /// <summary>The price of <paramref name="model"/> at <paramref name="at"/>, or null (with a warning, once per model) when it has none.</summary>
    public ModelPrice? Find(string? model, DateTimeOffset at)
    {
        var price = Current.Find(model, at);
        if (price is null && !string.IsNullOrEmpty(model) && _warned.Count < MaxRememberedUnknownModels && _warned.TryAdd(model, 0))
        {
            Log.UnknownModel(logger, model);
        }

        return price;
    }

    /// <summary>What <paramref name="usage"/> costs on <paramref name="model"/> at <paramref name="at"/> in USD, or null when the model has no price.</summary>
    public decimal? Cost(string? model, DateTimeOffset at, TokenUsage usage)
        => Find(model, at) is { } price ? PriceBook.Cost(price, usage) : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = 6011, EventName = "UnknownModelPrice", Level = LogLevel.Warning,
            Message = "No price for model {Model}: its calls are logged with cost_usd NULL. Add a row to model_prices (or Prices/model-prices.json).")]
        public static partial void UnknownModel(ILogger logger, string model);
    }
}
