using AiGateway.Config;
using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Modes;

/// <summary>
/// Checks the mode settings with the rest of the configuration (at start-up, on every reload and in <c>validate</c>):
/// each mode names a model with a price — in the shipped price table or in <c>model_prices</c> as last loaded — and
/// each route's <c>Mode</c> is a mode; a near miss gets the nearest known name.
/// </summary>
internal sealed class ModeConfigValidator(PriceCatalog catalog) : IValidateOptions<GatewayOptions>
{
    /// <summary>The price table file; the one shipped next to the binaries unless a test says otherwise.</summary>
    internal string PriceFile { get; init; } = PriceTableFile.DefaultPath;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        var prices = new PriceBook(FilePrices().Concat(catalog.Current.Prices));
        var priced = prices.Prices.Select(p => p.Model).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        CheckModel(errors, "Gateway:Modes:cheap", options.Modes.Cheap, prices, priced);
        CheckModel(errors, "Gateway:Modes:smart", options.Modes.Smart, prices, priced);
        foreach (var (routeName, route) in options.Routes)
        {
            if (route.Mode is { } mode && ModeName.Parse(mode) is null)
            {
                errors.Add($"Gateway:Routes:{routeName}:Mode is '{mode}'; it must be cheap, smart or auto{NearestName.Hint(mode.Trim(), ModeName.All)}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void CheckModel(List<string> errors, string key, string? model, PriceBook prices, List<string> priced)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            errors.Add($"{key} must name a model.");
            return;
        }

        // With no price known at all (no price file, store not read yet) there is nothing to check against.
        if (priced.Count > 0 && prices.Find(model, DateTimeOffset.MaxValue) is null)
        {
            errors.Add($"{key} is '{model}', which has no price (Prices/model-prices.json or model_prices): its calls could not be costed{NearestName.Hint(model, priced)}");
        }
    }

    private IReadOnlyList<ModelPrice> FilePrices()
    {
        try
        {
            return File.Exists(PriceFile) ? PriceTableFile.Load(PriceFile) : [];
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
        {
            // The price loader stops start-up with the file's own errors; they are not repeated here.
            return [];
        }
    }
}
