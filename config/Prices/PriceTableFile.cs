using System.Globalization;
using System.Text.Json;

namespace AiGateway.Config;

/// <summary>
/// Reads the shipped price table (<c>Prices/model-prices.json</c> next to the binaries): an object whose
/// <c>prices</c> array holds <c>{ "model", "input", "cached_input", "output", "effective_from" }</c> in USD per 1M tokens.
/// </summary>
public static class PriceTableFile
{
    /// <summary>The price table shipped with the gateway.</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "Prices", "model-prices.json");

    /// <summary>Reads and checks the price table at <paramref name="path"/>.</summary>
    public static IReadOnlyList<ModelPrice> Load(string path)
    {
        try
        {
            return Parse(File.ReadAllBytes(path));
        }
        catch (FormatException ex)
        {
            throw new FormatException($"The price table {path} is invalid: {ex.Message}", ex);
        }
    }

    /// <summary>Parses and checks a price table; every problem is reported in one <see cref="FormatException"/>.</summary>
    public static IReadOnlyList<ModelPrice> Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument document;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"not JSON ({ex.Message})", ex);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("prices"u8, out var rows)
                || rows.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException("expected an object with a \"prices\" array.");
            }

            var errors = new List<string>();
            var prices = new List<ModelPrice>();
            var seen = new HashSet<(string, DateTimeOffset)>();
            var index = 0;
            foreach (var row in rows.EnumerateArray())
            {
                var at = $"prices[{index++}]";
                if (row.ValueKind != JsonValueKind.Object)
                {
                    errors.Add($"{at} is not an object.");
                    continue;
                }

                var model = row.TryGetProperty("model"u8, out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                if (string.IsNullOrWhiteSpace(model))
                {
                    errors.Add($"{at}.model is missing.");
                    continue;
                }

                at = $"{at} ({model})";
                var input = Money(row, "input", at, errors, required: true);
                var cached = Money(row, "cached_input", at, errors, required: false) ?? input;
                var output = Money(row, "output", at, errors, required: true);
                var from = EffectiveFrom(row, at, errors);
                if (input is null || output is null || cached is null || from is null)
                {
                    continue;
                }

                if (!seen.Add((model, from.Value)))
                {
                    errors.Add($"{at} has a second row for effective_from {from.Value:O}.");
                    continue;
                }

                prices.Add(new ModelPrice(model, input.Value, cached.Value, output.Value, from.Value));
            }

            if (errors.Count > 0)
            {
                throw new FormatException(string.Join(" ", errors));
            }

            return prices;
        }
    }

    private static decimal? Money(JsonElement row, string name, string at, List<string> errors, bool required)
    {
        if (!row.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required)
            {
                errors.Add($"{at}.{name} is missing.");
            }

            return null;
        }

        // Prices are read as decimal straight from the JSON text: no double round trip.
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDecimal(out var price) || price < 0 || decimal.Round(price, 10) != price)
        {
            errors.Add($"{at}.{name} must be a number of USD per 1M tokens, at least 0, with at most 10 decimals.");
            return null;
        }

        return price;
    }

    private static DateTimeOffset? EffectiveFrom(JsonElement row, string at, List<string> errors)
    {
        if (row.TryGetProperty("effective_from"u8, out var value)
            && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var from))
        {
            return from;
        }

        errors.Add($"{at}.effective_from must be an ISO-8601 date or time (UTC unless an offset is given).");
        return null;
    }
}
