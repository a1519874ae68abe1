using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using AiGateway.Transforms.Audit;

namespace AiGateway.Transforms.Orgs;

/// <summary>Writes an org's or a customer's settings as the snake_case JSON object of the admin API, the CLI and the audit log (CONTRACT §8, §10.2).</summary>
internal static class SettingsJson
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An org's settings as UTF-8 JSON; <paramref name="indented"/> for people.</summary>
    public static byte[] Serialize(OrgAiSettings settings, bool indented = false) =>
        Serialize(SettingsTable.Org, [settings.OrgId], SettingsTable.Org.ValuesOf(settings), indented);

    /// <summary>A customer's settings (null = the org's value) as UTF-8 JSON.</summary>
    public static byte[] Serialize(CustomerAiSettings settings, bool indented = false) =>
        Serialize(SettingsTable.Customer, [settings.OrgId, settings.CustomerId], SettingsTable.Customer.ValuesOf(settings), indented);

    /// <summary>The audit entry of a settings change: the row before (null when there was none) and after.</summary>
    public static AuditChange Change(AuditActor actor, string action, string target, StoredSettings? before, StoredSettings after) =>
        new(actor, action, target, before is null ? null : Text(before), Text(after));

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

    private static string Text(StoredSettings row) => Encoding.UTF8.GetString(Serialize(row.Table, row.Keys, row.Values, indented: false));

    private static byte[] Serialize(SettingsTable table, IReadOnlyList<string> keys, IReadOnlyList<object?> values, bool indented)
    {
        var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer, Relaxed with { Indented = indented }))
        {
            writer.WriteStartObject();
            for (var i = 0; i < keys.Count; i++)
            {
                writer.WriteString(table.Keys[i], keys[i]);
            }

            for (var i = 0; i < table.Columns.Count; i++)
            {
                var name = table.Columns[i].Name;
                switch (values[i])
                {
                    case null:
                        writer.WriteNull(name);
                        break;
                    case string text:
                        writer.WriteString(name, text);
                        break;
                    case bool flag:
                        writer.WriteBoolean(name, flag);
                        break;
                    case decimal usd:
                        WriteNumberOrNull(writer, Encoding.UTF8.GetBytes(name), usd);
                        break;
                    case var whole:
                        writer.WriteNumber(name, Convert.ToInt64(whole, System.Globalization.CultureInfo.InvariantCulture));
                        break;
                }
            }

            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
