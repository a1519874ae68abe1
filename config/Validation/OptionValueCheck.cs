using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace AiGateway.Config;

/// <summary>
/// Finds every value in a configuration section that cannot become its option's type (the binder stops at the first),
/// so that all of them are reported at once, with the nearest name for a misspelt enum value.
/// </summary>
public static class OptionValueCheck
{
    /// <summary>Adds an error per unconvertible value under <paramref name="section"/> bound to <paramref name="optionsType"/>; returns their keys.</summary>
    public static IReadOnlyList<string> Check(IConfigurationSection section, Type optionsType, List<string> errors)
    {
        var bad = new List<string>();
        Walk(section, optionsType, errors, bad);
        return bad;
    }

    private static void Walk(IConfigurationSection section, Type type, List<string> errors, List<string> bad)
    {
        foreach (var child in section.GetChildren())
        {
            var property = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
            if (property is not null)
            {
                CheckValue(child, property.PropertyType, errors, bad);
            }
        }
    }

    private static void CheckValue(IConfigurationSection section, Type type, List<string> errors, List<string> bad)
    {
        var scalar = Nullable.GetUnderlyingType(type) ?? type;
        if (scalar.IsEnum || scalar.IsPrimitive || scalar == typeof(decimal) || scalar == typeof(TimeSpan) || scalar == typeof(DateTimeOffset) || scalar == typeof(Guid))
        {
            if (string.IsNullOrEmpty(section.Value) || Converts(section.Value, scalar))
            {
                return;
            }

            bad.Add(section.Path);
            errors.Add(scalar.IsEnum
                ? $"{section.Path} is '{section.Value}'; it must be one of {string.Join(", ", Enum.GetNames(scalar))}{NearestName.Hint(section.Value, Enum.GetNames(scalar))}"
                : $"{section.Path} is '{section.Value}', which is not a valid {Describe(scalar)}.");
            return;
        }

        if (scalar == typeof(string))
        {
            return;
        }

        if (scalar.IsGenericType && scalar.GetGenericTypeDefinition() == typeof(Dictionary<,>))
        {
            foreach (var entry in section.GetChildren())
            {
                CheckValue(entry, scalar.GetGenericArguments()[1], errors, bad);
            }

            return;
        }

        if (typeof(IEnumerable).IsAssignableFrom(scalar))
        {
            var element = scalar.IsArray ? scalar.GetElementType() : scalar.GetGenericArguments().FirstOrDefault();
            if (element is not null)
            {
                foreach (var item in section.GetChildren())
                {
                    CheckValue(item, element, errors, bad);
                }
            }

            return;
        }

        if (scalar.IsClass)
        {
            Walk(section, scalar, errors, bad);
        }
    }

    private static bool Converts(string value, Type type)
    {
        try
        {
            // The converter the configuration binder itself uses.
            TypeDescriptor.GetConverter(type).ConvertFromString(null, CultureInfo.InvariantCulture, value);
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException or NotSupportedException)
        {
            return false;
        }
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(bool) => "boolean (true or false)",
        _ when type == typeof(TimeSpan) => "time span (hh:mm:ss)",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => $"whole number ({type.Name})",
        _ => type.Name,
    };
}
