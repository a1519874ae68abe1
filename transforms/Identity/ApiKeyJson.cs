using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// Writes a key as the admin API, the CLI and the audit log show it: its id (never the secret, never the whole hash),
/// org, name, state and policy (CONTRACT §10.3).
/// </summary>
internal static class ApiKeyJson
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The key as UTF-8 JSON at <paramref name="now"/> (its <c>status</c> depends on it).</summary>
    public static byte[] Serialize(ApiKeyRecord key, DateTime now)
    {
        var buffer = new MemoryStream(512);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed))
        {
            writer.WriteStartObject();
            Write(writer, key, now);
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>The key as JSON text, as the audit log stores it.</summary>
    public static string Text(ApiKeyRecord key, DateTime now) => Encoding.UTF8.GetString(Serialize(key, now));

    /// <summary>Writes the key's members (the caller opens and closes the object).</summary>
    public static void Write(Utf8JsonWriter writer, ApiKeyRecord key, DateTime now)
    {
        writer.WriteString("id"u8, key.Id);
        writer.WriteString("org"u8, key.OrgId);
        writer.WriteString("name"u8, key.Name);
        writer.WriteString("status"u8, key.RevokedAt is not null ? "revoked" : key.IsActiveAt(now) ? "active" : "expired");
        writer.WriteString("created_at"u8, Utc(key.CreatedAt));
        WriteTime(writer, "revoked_at"u8, key.RevokedAt);
        WriteTime(writer, "expires_at"u8, key.ExpiresAt);
        writer.WriteStartArray("models"u8);
        foreach (var model in key.Models)
        {
            writer.WriteStringValue(model);
        }

        writer.WriteEndArray();
        if (key.MonthlyUsdBudget is { } budget)
        {
            // Without trailing zeros: 50.0000000000 of numeric(20,10) as 50.
            writer.WriteNumber("monthly_usd_budget"u8, budget / 1.000000000000000000000000000000000m);
        }
        else
        {
            writer.WriteNull("monthly_usd_budget"u8);
        }

        WriteNumber(writer, "rpm_limit"u8, key.RpmLimit);
        WriteNumber(writer, "tpm_limit"u8, key.TpmLimit);
        WriteNumber(writer, "max_concurrent"u8, key.MaxConcurrent);
        writer.WriteBoolean("may_name_customers"u8, key.MayNameCustomers);
        writer.WriteString("upstream_key_env"u8, key.UpstreamKeyEnv);
        // Written again rather than copied: Postgres answers jsonb with spaces of its own.
        writer.WriteStartObject("labels"u8);
        using (var labels = JsonDocument.Parse(key.Labels))
        {
            foreach (var label in labels.RootElement.EnumerateObject())
            {
                label.WriteTo(writer);
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter writer, ReadOnlySpan<byte> name, DateTime? time)
    {
        if (time is { } value)
        {
            writer.WriteString(name, Utc(value));
        }
        else
        {
            writer.WriteNull(name);
        }
    }

    private static void WriteNumber(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long? value)
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

    private static DateTime Utc(DateTime time) => DateTime.SpecifyKind(time, DateTimeKind.Utc);
}
