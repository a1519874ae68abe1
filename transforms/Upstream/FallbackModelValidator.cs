using AiGateway.Config;
using AiGateway.Transforms.Prices;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// Checks <c>Gateway:Upstream:FallbackModels</c> against the prices (at start-up, on every reload and in <c>validate</c>):
/// a fallback model must have a price, or its answers could not be costed, and so must the model it stands in for, or a
/// misspelt name would silently never fall back; a near miss gets the nearest priced name.
/// </summary>
internal sealed class FallbackModelValidator(PriceCatalog catalog) : IValidateOptions<GatewayOptions>
{
    /// <summary>The price table file; the one shipped next to the binaries unless a test says otherwise.</summary>
    internal string PriceFile { get; init; } = PriceTableFile.DefaultPath;

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var fallbacks = options.Upstream.FallbackModels;
        if (fallbacks.Count == 0)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        var prices = ConfiguredModelPrices.Read(catalog, PriceFile);
        foreach (var (model, fallback) in fallbacks)
        {
            if (prices.Unpriced(model) is { } modelProblem)
            {
                errors.Add($"Gateway:Upstream:FallbackModels:{model} names the model '{model}', {modelProblem}");
            }

            // An empty fallback is GatewayOptionsValidator's error.
            if (!string.IsNullOrWhiteSpace(fallback))
            {
                prices.Check(errors, $"Gateway:Upstream:FallbackModels:{model}", fallback);
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
