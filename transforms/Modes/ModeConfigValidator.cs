using AiGateway.Config;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Prices;
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
        var prices = ConfiguredModelPrices.Read(catalog, PriceFile);
        prices.Check(errors, "Gateway:Modes:cheap", options.Modes.Cheap);
        prices.Check(errors, "Gateway:Modes:smart", options.Modes.Smart);
        foreach (var (routeName, route) in options.Routes)
        {
            if (route.Mode is { } mode && ModeName.Parse(mode) is null)
            {
                errors.Add($"Gateway:Routes:{routeName}:Mode is '{mode}'; it must be cheap, smart or auto{NearestName.Hint(mode.Trim(), ModeName.All)}");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
