using AiGateway.Config;

namespace AiGateway.Transforms.Prices;

/// <summary>
/// The prices a model named in the configuration is checked against, at start-up, on every reload and in <c>validate</c>:
/// the shipped price table and <c>model_prices</c> as last loaded. A model without a price could not be costed.
/// </summary>
internal sealed class ConfiguredModelPrices
{
    private readonly PriceBook _prices;
    private readonly List<string> _priced;

    private ConfiguredModelPrices(PriceBook prices)
    {
        _prices = prices;
        _priced = prices.Prices.Select(p => p.Model).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Reads the price table file <paramref name="priceFile"/> and the prices <paramref name="catalog"/> holds now.</summary>
    public static ConfiguredModelPrices Read(PriceCatalog catalog, string priceFile) =>
        new(new PriceBook(FilePrices(priceFile).Concat(catalog.Current.Prices)));

    /// <summary>Adds an error when <paramref name="model"/>, the value of <paramref name="key"/>, is missing or has no price, naming the nearest priced model.</summary>
    public void Check(List<string> errors, string key, string? model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            errors.Add($"{key} must name a model.");
            return;
        }

        if (Unpriced(model) is { } problem)
        {
            errors.Add($"{key} is '{model}', {problem}");
        }
    }

    /// <summary>Why <paramref name="model"/> cannot be used (<c>which has no price …; did you mean 'X'?</c>), or null when it has a price.</summary>
    public string? Unpriced(string model) =>
        // With no price known at all (no price file, store not read yet) there is nothing to check against.
        _priced.Count > 0 && _prices.Find(model, DateTimeOffset.MaxValue) is null
            ? $"which has no price (Prices/model-prices.json or model_prices): its calls could not be costed{NearestName.Hint(model, _priced)}"
            : null;

    private static IReadOnlyList<ModelPrice> FilePrices(string priceFile)
    {
        try
        {
            return File.Exists(priceFile) ? PriceTableFile.Load(priceFile) : [];
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            // The price loader stops start-up with the file's own errors; they are not repeated here.
            return [];
        }
    }
}
