using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Errors;

namespace AiGateway.Transforms.Orgs;

/// <summary>
/// A partial update of an org's or a customer's settings (CONTRACT §8, §10.2): the snake_case columns of the
/// <see cref="SettingsTable"/> a JSON object names, each checked; a key field may only repeat the path's; a field that is
/// not a column is refused, with the nearest column suggested.
/// </summary>
internal sealed class SettingsPatch
{
    private SettingsPatch(IReadOnlyList<KeyValuePair<SettingsColumn, object?>> values) => Values = values;

    /// <summary>The columns to set and their values (<see cref="string"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>, <see cref="decimal"/> or null), one per column.</summary>
    public IReadOnlyList<KeyValuePair<SettingsColumn, object?>> Values { get; }

    /// <summary>Reads a patch of <paramref name="table"/>'s row with <paramref name="keys"/> from a JSON object; a bad field gives the error instead.</summary>
    public static (SettingsPatch? Patch, FieldError? Error) Parse(JsonElement body, SettingsTable table, IReadOnlyList<string> keys)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, FieldError.Invalid(null, $"The body must be a JSON object of {table.Name} columns (snake_case)."));
        }

        var values = new Dictionary<SettingsColumn, object?>();
        foreach (var property in body.EnumerateObject())
        {
            var name = property.Name;
            var key = IndexOf(table.Keys, name);
            if (key >= 0)
            {
                if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() != keys[key])
                {
                    return (null, FieldError.Invalid(name, $"{name} must be absent or equal to the one in the path ('{keys[key]}')."));
                }

                continue;
            }

            if (table.Find(name) is not { } column)
            {
                return (null, FieldError.Unknown(name, $"Unknown field '{name}': the fields are {string.Join(", ", table.Fields)}{NearestName.Hint(name, table.Fields)}"));
            }

            var (value, error) = Read(column, property.Value, table.Inherits);
            if (error is not null)
            {
                return (null, error);
            }

            values[column] = value;
        }

        return (new SettingsPatch(values.ToList()), null);
    }

    private static (object?, FieldError?) Read(SettingsColumn column, JsonElement value, bool inherits)
    {
        switch (column.Kind)
        {
            case SettingsKind.Mode:
                return Mode(value);
            case SettingsKind.Logging:
                return Logging(value, inherits);
            case SettingsKind.Flag:
                return JsonFields.Flag(column.Name, value, nullable: inherits);
            case SettingsKind.Usd:
                var (usd, usdError) = JsonFields.Usd(column.Name, value);
                return (usd, usdError);
            default:
                var (whole, error) = JsonFields.Whole(column.Name, value, (long)column.Min, (long)column.Max);
                // An integer column's value is an int, as the stores bind and the records hold it.
                return (whole is { } number && column.Kind == SettingsKind.Int ? (object)(int)number : whole, error);
        }
    }

    private static (object?, FieldError?) Mode(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        return ModeName.Parse(text) is { } mode
            ? (mode, null)
            : (null, FieldError.Invalid("mode_default", $"mode_default is '{text}'; it must be cheap, smart, auto or null{NearestName.Hint(text, ModeName.All)}"));
    }

    private static (object?, FieldError?) Logging(JsonElement value, bool inherits)
    {
        if (value.ValueKind == JsonValueKind.Null && inherits)
        {
            return (null, null);
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString() ?? "" : value.GetRawText();
        return value.ValueKind == JsonValueKind.String && PayloadLoggingName.Parse(text) is { } level
            ? (level, null)
            : (null, FieldError.Invalid("payload_logging",
                $"payload_logging is '{text}'; it must be off, metadata, redacted or full{(inherits ? " (or null for the org's)" : "")}{NearestName.Hint(text, PayloadLoggingName.All)}"));
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
