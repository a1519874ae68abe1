using System.Text.Json;
using AiGateway.Config;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// A partial update of an org's settings (CONTRACT §8): the snake_case columns of <c>org_ai_settings</c> a JSON object
/// names, each checked; a field that is not a column is refused, with the nearest column suggested.
/// </summary>
internal sealed class OrgSettingsPatch
{
    /// <summary>The columns a patch may set, with <c>org_id</c>, which it may only repeat.</summary>
    public static readonly IReadOnlyList<string> Fields =
    [
        "org_id", "mode_default", "client_mode_override", "cache_enabled", "cache_ttl_seconds", "dedupe_enabled",
        "monthly_token_budget", "monthly_usd_budget", "hard_budget",
    ];

    private const long MaxTtlSeconds = 31536000;

    // numeric(20,10) holds at most 10 digits before the point.
    private const decimal MaxUsd = 9_999_999_999.9999999999m;

    private OrgSettingsPatch(IReadOnlyList<KeyValuePair<string, object?>> values) => Values = values;

    /// <summary>The columns to set and their values (<see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="decimal"/> or null), one per column.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Values { get; }

    /// <summary>Reads a patch from a JSON object; on a bad field returns null with the error and the field's name.</summary>
    public static (OrgSettingsPatch? Patch, string? Error, string? Field) Parse(JsonElement body, string orgId)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, "The body must be a JSON object of org_ai_settings columns (snake_case).", null);
        }

        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            var (parsed, error) = name switch
            {
                "org_id" => value.ValueKind == JsonValueKind.String && value.GetString() == orgId
                    ? (null, null)
                    : ((object?)null, $"org_id must be absent or equal to the org in the path ('{orgId}')."),
                "mode_default" => Mode(value),
                "client_mode_override" or "cache_enabled" or "dedupe_enabled" or "hard_budget" => Boolean(name, value),
                "cache_ttl_seconds" => Whole(name, value, MaxTtlSeconds, v => (int)v),
                "monthly_token_budget" => Whole(name, value, long.MaxValue, v => v),
                "monthly_usd_budget" => Usd(value),
                _ => (null, $"Unknown field '{name}': the fields are {string.Join(", ", Fields)}{NearestName.Hint(name, Fields)}"),
            };
            if (error is not null)
            {
                return (null, error, name);
            }

            if (name != "org_id")
            {
                values[name] = parsed;
            }
        }

        return (new OrgSettingsPatch(values.ToList()), null, null);
    }

    private static (object?, string?) Mode(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        return ModeName.Parse(text) is { } mode
            ? (mode, null)
            : (null, $"mode_default is '{text}'; it must be cheap, smart, auto or null{NearestName.Hint(text, ModeName.All)}");
    }

    private static (object?, string?) Boolean(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => (true, null),
        JsonValueKind.False => (false, null),
        _ => (null, $"{name} must be true or false."),
    };

    private static (object?, string?) Whole(string name, JsonElement value, long max, Func<long, object> convert)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= 0 && number <= max
            ? (convert(number), null)
            : (null, $"{name} must be null or a whole number from 0 to {max}.");
    }

    private static (object?, string?) Usd(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        // Read as decimal straight from the JSON text: no double round trip.
        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var usd) && usd >= 0 && usd <= MaxUsd && decimal.Round(usd, 10) == usd
            ? (usd, null)
            : (null, "monthly_usd_budget must be null or a number of USD from 0 with at most 10 decimals.");
    }
}
