using System.Globalization;

namespace AiGateway.Transforms.Storage;

/// <summary>How the embedded store writes times and money as text so that they stay exact and sortable.</summary>
internal static class SqliteValues
{
    // The round-trip format of a UTC DateTime is exactly yyyy-MM-dd'T'HH:mm:ss.fffffff'Z', and has a fast path of its own
    // (a custom pattern is interpreted per call); values are always converted to UTC first.
    private const string TimeFormat = "O";
    private const string MoneyFormat = "0.##########################";
    private const int MoneyDecimals = 26;

    /// <summary>A moment as fixed-width ISO-8601 UTC text, which sorts like the moment itself.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="Time"/> text as UTF-8.</summary>
    public static bool TryFormatTime(DateTimeOffset value, Span<byte> utf8, out int written)
        => value.UtcDateTime.TryFormat(utf8, out written, TimeFormat, CultureInfo.InvariantCulture);

    /// <summary>Reads <see cref="Time"/> text back.</summary>
    public static DateTimeOffset ParseTime(string text)
        => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>A UTC date as <c>yyyy-MM-dd</c>.</summary>
    public static string Day(DateOnly value) => value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An amount as invariant decimal text without trailing zeros.</summary>
    public static string Money(decimal value) => value.ToString(MoneyFormat, CultureInfo.InvariantCulture);

    /// <summary>Writes <see cref="Money(decimal)"/> text as UTF-8.</summary>
    public static bool TryFormatMoney(decimal value, Span<byte> utf8, out int written)
    {
        if (value <= 0m || value.Scale > MoneyDecimals)
        {
            return value.TryFormat(utf8, out written, MoneyFormat, CultureInfo.InvariantCulture);
        }

        // Every row's cost: the pattern is interpreted per call, while a decimal's general format is fixed-point with all
        // of its scale's digits, the pattern's text once the trailing zeros are gone (no rounding within its decimals).
        if (!value.TryFormat(utf8, out written, default, CultureInfo.InvariantCulture))
        {
            return false;
        }

        if (value.Scale > 0)
        {
            written = utf8[..written].TrimEnd((byte)'0').TrimEnd((byte)'.').Length;
        }

        return true;
    }

    /// <summary>An amount as text, or null.</summary>
    public static string? Money(decimal? value) => value is { } v ? Money(v) : null;

    /// <summary>Reads <see cref="Money(decimal)"/> text back; null or empty is zero.</summary>
    public static decimal ParseMoney(string? text)
        => string.IsNullOrEmpty(text) ? 0m : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
