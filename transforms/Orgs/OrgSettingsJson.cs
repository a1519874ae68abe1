using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Transforms.Orgs;

/// <summary>Writes an org's settings as the snake_case JSON object of the admin API and the CLI (CONTRACT §8).</summary>
internal static class OrgSettingsJson
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The settings as UTF-8 JSON; <paramref name="indented"/> for people.</summary>
    public static byte[] Serialize(OrgAiSettings settings, bool indented = false)
    {
        var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed with { Indented = indented }))
        {
            writer.WriteStartObject();
            Write(writer, settings);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the members of the settings object (the caller opens and closes it).</summary>
    public static void Write(Utf8JsonWriter writer, OrgAiSettings settings)
    {
        writer.WriteString("org_id"u8, settings.OrgId);
        writer.WriteString("mode_default"u8, settings.ModeDefault);
        writer.WriteBoolean("client_mode_override"u8, settings.ClientModeOverride);
        writer.WriteBoolean("cache_enabled"u8, settings.CacheEnabled);
        WriteNumberOrNull(writer, "cache_ttl_seconds"u8, settings.CacheTtlSeconds);
        writer.WriteBoolean("dedupe_enabled"u8, settings.DedupeEnabled);
        WriteNumberOrNull(writer, "monthly_token_budget"u8, settings.MonthlyTokenBudget);
        WriteNumberOrNull(writer, "monthly_usd_budget"u8, settings.MonthlyUsdBudget);
        writer.WriteBoolean("hard_budget"u8, settings.HardBudget);
    }

    /// <summary>Writes a whole number, or null.</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    /// <summary>Writes an exact decimal without trailing zeros (<c>50.0000000000</c> of <c>numeric(20,10)</c> as <c>50</c>), or null.</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter writer, ReadOnlySpan<byte> name, decimal? value)
    {
        if (value is { } number)
        {
            // Dividing by 1 with the most decimals decimal can hold drops the trailing zeros.
            writer.WriteNumber(name, number / 1.000000000000000000000000000000000m);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
