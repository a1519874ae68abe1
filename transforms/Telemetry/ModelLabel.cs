using AiGateway.Config;
using AiGateway.Transforms.Prices;
using Microsoft.Extensions.Options;

namespace AiGateway.Transforms.Telemetry;

/// <summary>
/// The value of a metric's model label: a model the price table knows (an unpriced dated snapshot under its base
/// model's name) or one the configuration names (the modes, the fallback models); anything else is <c>other</c>. A
/// client chooses its <c>model</c>, and each distinct label value is a series that <c>/metrics</c> keeps for good.
/// </summary>
internal sealed class ModelLabel(PriceCatalog prices, IOptionsMonitor<GatewayOptions> options)
{
    /// <summary>The label of every model outside the vocabulary.</summary>
    public const string Other = "other";

    /// <summary>The label for <paramref name="model"/>.</summary>
    public string Of(string model)
    {
        if (prices.Current.PricedName(model) is { } priced)
        {
            return priced;
        }

        var gateway = options.CurrentValue;
        if (model.Equals(gateway.Modes.Cheap, StringComparison.OrdinalIgnoreCase))
        {
            return gateway.Modes.Cheap;
        }

        if (model.Equals(gateway.Modes.Smart, StringComparison.OrdinalIgnoreCase))
        {
            return gateway.Modes.Smart;
        }

        foreach (var (from, to) in gateway.Upstream.FallbackModels)
        {
            if (model.Equals(from, StringComparison.OrdinalIgnoreCase))
            {
                return from;
            }

            if (model.Equals(to, StringComparison.OrdinalIgnoreCase))
            {
                return to;
            }
        }

        return Other;
    }
}
