using System.Globalization;

namespace AiGateway.Transforms.CostLog;

/// <summary>How the embedded store writes times and money as text so that they stay exact and sortable.</summary>
internal static class SqliteValues
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";
    private const string MoneyFormat = "0.##########################";

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
        => value.TryFormat(utf8, out written, MoneyFormat, CultureInfo.InvariantCulture);

    /// <summary>An amount as text, or null.</summary>
    public static string? Money(decimal? value) => value is { } v ? Money(v) : null;

    /// <summary>Reads <see cref="Money(decimal)"/> text back; null or empty is zero.</summary>
    public static decimal ParseMoney(string? text)
        => string.IsNullOrEmpty(text) ? 0m : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
