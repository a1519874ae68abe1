using System.Globalization;
using System.Text.Json;

namespace AiGateway.Transforms.Errors;

/// <summary>Reads the typed fields of an admin request body (settings, key policy), or says why a value is refused.</summary>
internal static class JsonFields
{
    /// <summary>The most decimals a money column (<c>numeric(20,10)</c>) keeps.</summary>
    public const int UsdDecimals = 10;

    /// <summary>The greatest amount a money column holds: 10 digits before the point.</summary>
    public const decimal MaxUsd = 9_999_999_999.9999999999m;

    /// <summary>The greatest <c>rpm_limit</c> of a key, an org or a customer (as of a route policy's <c>RpmLimit</c>).</summary>
    public const int MaxRpm = 10_000_000;

    /// <summary>The greatest <c>tpm_limit</c>.</summary>
    public const long MaxTpm = 10_000_000_000;

    /// <summary>The greatest <c>max_concurrent</c>.</summary>
    public const int MaxConcurrent = 100_000;

    /// <summary>true or false; null too when <paramref name="nullable"/>.</summary>
    public static (object? Value, FieldError? Error) Flag(string name, JsonElement value, bool nullable) => value.ValueKind switch
    {
        JsonValueKind.True => (true, null),
        JsonValueKind.False => (false, null),
        JsonValueKind.Null when nullable => (null, null),
        _ => (null, FieldError.Invalid(name, $"{name} must be true{(nullable ? ", false or null" : " or false")}.")),
    };

    /// <summary>Null or a whole number from <paramref name="min"/> to <paramref name="max"/>, as a <see cref="long"/>.</summary>
    public static (long? Value, FieldError? Error) Whole(string name, JsonElement value, long min, long max)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) && number >= min && number <= max
            ? (number, null)
            : (null, FieldError.Invalid(name, $"{name} must be null or a whole number from {min} to {max}."));
    }

    /// <summary>Null or an amount of USD from 0 with at most 10 decimals that <c>numeric(20,10)</c> holds, read exactly.</summary>
    public static (decimal? Value, FieldError? Error) Usd(string name, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        // Read as decimal straight from the JSON text: no double round trip.
        return value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var usd) && usd >= 0 && usd <= MaxUsd && decimal.Round(usd, UsdDecimals) == usd
            ? (usd, null)
            : (null, FieldError.Invalid(name, $"{name} must be null or a number of USD from 0 to {MaxUsd.ToString(CultureInfo.InvariantCulture)} with at most {UsdDecimals} decimals."));
    }
}
