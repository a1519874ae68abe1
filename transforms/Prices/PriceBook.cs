using AiGateway.Config;
using AiGateway.Transforms.Endpoints;

namespace AiGateway.Transforms.Prices;

/// <summary>
/// An immutable snapshot of the price table that answers which price is in force for a model at a moment.
/// A dated snapshot name (<c>gpt-4o-2024-08-06</c>) uses its own rows when it has one in force, else its base model's.
/// </summary>
public sealed class PriceBook
{
    private const decimal TokensPerUnit = 1_000_000m;

    // Rows of each model sorted by EffectiveFrom; model names compare case-insensitively.
    private readonly Dictionary<string, ModelPrice[]> _byModel;

    /// <summary>Builds a snapshot of <paramref name="prices"/>; a later duplicate of (model, effective_from) replaces an earlier one.</summary>
    public PriceBook(IEnumerable<ModelPrice> prices)
    {
        _byModel = prices
            .GroupBy(p => p.Model, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(
                g => g.Key,
                g => g.GroupBy(p => p.EffectiveFrom).Select(d => d.Last()).OrderBy(p => p.EffectiveFrom).ToArray(),
                StringComparer.OrdinalIgnoreCase);
        Prices = _byModel.Values.SelectMany(v => v).ToArray();
    }

    /// <summary>A book with no prices: every cost is unknown.</summary>
    public static PriceBook Empty { get; } = new([]);

    /// <summary>Every row in the book.</summary>
    public IReadOnlyList<ModelPrice> Prices { get; }

    /// <summary>The price in force for <paramref name="model"/> at <paramref name="at"/>, or null when the model has none.</summary>
    public ModelPrice? Find(string? model, DateTimeOffset at)
    {
        if (string.IsNullOrEmpty(model))
        {
            return null;
        }

        return InForce(model, at) ?? (SnapshotBase(model) is { } baseModel ? InForce(baseModel, at) : null);
    }

    /// <summary>What <paramref name="usage"/> costs on <paramref name="model"/> at <paramref name="at"/> in USD, or null when the model has no price.</summary>
    public decimal? Cost(string? model, DateTimeOffset at, TokenUsage usage)
        => Find(model, at) is { } price ? Cost(price, usage) : null;

    /// <summary>
    /// What <paramref name="usage"/> costs at <paramref name="price"/>: uncached input, cached input and output tokens
    /// at their prices per 1M, in exact decimal, rounded half away from zero to the 10 decimals of <c>numeric(20,10)</c>.
    /// </summary>
    public static decimal Cost(ModelPrice price, TokenUsage usage)
    {
        var micro = usage.UncachedPromptTokens * price.InputPer1M
            + usage.BilledCachedTokens * price.CachedInputPer1M
            + Math.Max(0, usage.CompletionTokens) * price.OutputPer1M;
        // Postgres rounds numeric half away from zero; rounding here the same way keeps the header equal to the row.
        return decimal.Round(micro / TokensPerUnit, 10, MidpointRounding.AwayFromZero);
    }

    /// <summary>
    /// The name under which the book prices <paramref name="model"/> (at any time), spelled as the book spells it: its own,
    /// or its base model's for an unpriced dated snapshot; null when the book has neither.
    /// </summary>
    public string? PricedName(string model)
    {
        if (_byModel.TryGetValue(model, out var rows))
        {
            return rows[0].Model;
        }

        return SnapshotBase(model) is { } baseModel && _byModel.TryGetValue(baseModel, out var baseRows) ? baseRows[0].Model : null;
    }

    /// <summary>The base model of a dated snapshot name (<c>gpt-4o-2024-08-06</c> → <c>gpt-4o</c>), or null when the name has no date suffix.</summary>
    public static string? SnapshotBase(string model)
    {
        // "-YYYY-MM-DD" is 11 characters.
        if (model.Length <= 11)
        {
            return null;
        }

        var suffix = model.AsSpan(model.Length - 11);
        if (suffix[0] != '-' || suffix[5] != '-' || suffix[8] != '-')
        {
            return null;
        }

        foreach (var i in (ReadOnlySpan<int>)[1, 2, 3, 4, 6, 7, 9, 10])
        {
            if (!char.IsAsciiDigit(suffix[i]))
            {
                return null;
            }
        }

        return model[..^11];
    }

    private ModelPrice? InForce(string model, DateTimeOffset at)
    {
        if (!_byModel.TryGetValue(model, out var rows))
        {
            return null;
        }

        for (var i = rows.Length - 1; i >= 0; i--)
        {
            if (rows[i].EffectiveFrom <= at)
            {
                return rows[i];
            }
        }

        return null;
    }
}
