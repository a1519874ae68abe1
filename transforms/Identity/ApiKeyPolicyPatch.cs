using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Transforms.Errors;

namespace AiGateway.Transforms.Identity;

/// <summary>
/// The policy fields of a key (CONTRACT §10.3) a JSON body sets: <c>POST /api/keys</c> (with <c>org</c> and <c>name</c>),
/// <c>PATCH /api/keys/{id}</c> (without: they never change), and <c>keys create</c>. Every value is checked here, once,
/// for all three.
/// </summary>
internal sealed class ApiKeyPolicyPatch
{
    /// <summary>The policy fields, in the order the API writes them.</summary>
    public static readonly IReadOnlyList<string> PolicyFields =
    [
        "models", "expires_at", "monthly_usd_budget", "rpm_limit", "tpm_limit", "max_concurrent", "may_name_customers",
        "upstream_key_env", "labels",
    ];

    /// <summary>The most entries of <c>models</c>.</summary>
    public const int MaxModels = 256;

    /// <summary>The most <c>labels</c>, and their bounds (OpenAI's own for <c>metadata</c>).</summary>
    public const int MaxLabels = 16;

    private const int MaxLabelKeyLength = 64;
    private const int MaxLabelValueLength = 512;
    private const int MaxNameLength = 128;
    private const int MaxOrgLength = 128;
    private const int MaxEnvLength = 128;

    // A model name (CONTRACT §10.9's characters) where * stands for any run of characters: the only wildcard.
    private static readonly SearchValues<char> ModelGlobChars =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/@+-*");

    // Org ids become part of Redis keys inside a {hash tag}: no braces, no spaces.
    private static readonly SearchValues<char> OrgChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-");

    private static readonly SearchValues<char> EnvChars = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");

    private readonly Dictionary<string, object?> _values;

    private ApiKeyPolicyPatch(string? org, string? name, Dictionary<string, object?> values)
    {
        Org = org;
        Name = name;
        _values = values;
    }

    /// <summary>The org of a key being created, or null for a change.</summary>
    public string? Org { get; }

    /// <summary>The name of a key being created, or null for a change.</summary>
    public string? Name { get; }

    /// <summary>The policy fields the body names.</summary>
    public IReadOnlyCollection<string> Fields => _values.Keys;

    /// <summary>
    /// Reads a body: for a new key (<paramref name="creating"/>) <c>org</c> and <c>name</c> are required, for a change
    /// they are refused (<c>immutable_field</c>). <paramref name="now"/> bounds a new key's <c>expires_at</c>.
    /// <paramref name="ignoredField"/> is a field the caller reads itself (a rotation's <c>overlap_seconds</c>).
    /// </summary>
    public static (ApiKeyPolicyPatch? Patch, FieldError? Error) Parse(JsonElement body, bool creating, DateTime now, string? ignoredField = null)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, FieldError.Invalid(null, "The body must be a JSON object of key fields (snake_case)."));
        }

        string? org = null, name = null;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            var field = property.Name;
            var value = property.Value;
            if (field == ignoredField)
            {
                continue;
            }

            (object? Value, FieldError? Error) read = field switch
            {
                "org" or "name" when !creating => (null, new FieldError("immutable_field", $"A key's {field} never changes: create a new key (or rotate this one) instead.", field)),
                "org" => ReadOrg(value),
                "name" => ReadName(value),
                "models" => Models(value),
                "expires_at" => Expiry(value, creating ? now : null),
                "monthly_usd_budget" => Boxed(JsonFields.Usd(field, value)),
                "rpm_limit" => Boxed(JsonFields.Whole(field, value, 1, JsonFields.MaxRpm), toInt: true),
                "tpm_limit" => Boxed(JsonFields.Whole(field, value, 1, JsonFields.MaxTpm)),
                "max_concurrent" => Boxed(JsonFields.Whole(field, value, 1, JsonFields.MaxConcurrent), toInt: true),
                "may_name_customers" => JsonFields.Flag(field, value, nullable: false),
                "upstream_key_env" => Env(value),
                "labels" => Labels(value),
                _ => (null, Unknown(field, creating)),
            };
            if (read.Error is not null)
            {
                return (null, read.Error);
            }

            switch (field)
            {
                case "org":
                    org = (string)read.Value!;
                    break;
                case "name":
                    name = (string)read.Value!;
                    break;
                default:
                    values[field] = read.Value;
                    break;
            }
        }

        if (creating && (org is null || name is null))
        {
            var missing = org is null ? "org" : "name";
            return (null, FieldError.Invalid(missing, $"A new key needs '{missing}': {{\"org\": \"acme\", \"name\": \"billing-app\", …}}."));
        }

        return (new ApiKeyPolicyPatch(org, name, values), null);
    }

    /// <summary>The key with the fields this patch names set to their new values.</summary>
    public ApiKeyRecord ApplyTo(ApiKeyRecord key)
    {
        foreach (var (field, value) in _values)
        {
            key = field switch
            {
                "models" => key with { Models = (string[])value! },
                "expires_at" => key with { ExpiresAt = (DateTime?)value },
                "monthly_usd_budget" => key with { MonthlyUsdBudget = (decimal?)value },
                "rpm_limit" => key with { RpmLimit = (int?)value },
                "tpm_limit" => key with { TpmLimit = (long?)value },
                "max_concurrent" => key with { MaxConcurrent = (int?)value },
                "may_name_customers" => key with { MayNameCustomers = (bool)value! },
                "upstream_key_env" => key with { UpstreamKeyEnv = (string?)value },
                _ => key with { Labels = (string)value! },
            };
        }

        return key;
    }

    private static FieldError Unknown(string field, bool creating)
    {
        IReadOnlyList<string> known = creating ? ["org", "name", .. PolicyFields] : PolicyFields;
        return FieldError.Unknown(field, $"Unknown field '{field}': the fields are {string.Join(", ", known)}{NearestName.Hint(field, known)}");
    }

    private static (object?, FieldError?) Boxed((long? Value, FieldError? Error) read, bool toInt = false) =>
        (read.Value is { } number && toInt ? (object)(int)number : read.Value, read.Error);

    private static (object?, FieldError?) Boxed((decimal? Value, FieldError? Error) read) => (read.Value, read.Error);

    private static (object?, FieldError?) ReadOrg(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= MaxOrgLength } org && !org.AsSpan().ContainsAnyExcept(OrgChars)
            ? (org, null)
            : (null, FieldError.Invalid("org", $"org must be 1 to {MaxOrgLength} of A-Z a-z 0-9 . _ : -"));

    private static (object?, FieldError?) ReadName(JsonElement value) =>
        value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= MaxNameLength } name && !name.Any(char.IsControl) && name.Trim().Length > 0
            ? (name, null)
            : (null, FieldError.Invalid("name", $"name must be 1 to {MaxNameLength} characters, without control characters."));

    private static (object?, FieldError?) Models(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (Array.Empty<string>(), null);
        }

        if (value.ValueKind != JsonValueKind.Array || value.GetArrayLength() > MaxModels)
        {
            return (null, FieldError.Invalid("models", $"models must be an array of at most {MaxModels} model names or * globs ([] = every model)."));
        }

        var models = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 and <= 256 } model || model.AsSpan().ContainsAnyExcept(ModelGlobChars))
            {
                return (null, FieldError.Invalid("models",
                    $"models holds {item.GetRawText()}: each entry is a model name (A-Z a-z 0-9 . _ : / @ + -, at most 256) where * matches any run of characters, e.g. \"gpt-4o*\"."));
            }

            if (!models.Contains(model, StringComparer.Ordinal))
            {
                models.Add(model);
            }
        }

        return (models.ToArray(), null);
    }

    private static (object?, FieldError?) Expiry(JsonElement value, DateTime? notBefore)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        if (value.ValueKind != JsonValueKind.String
            || !DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var expires))
        {
            return (null, FieldError.Invalid("expires_at", "expires_at must be null or an ISO-8601 time, e.g. \"2027-01-01T00:00:00Z\"."));
        }

        return notBefore is { } now && expires.UtcDateTime <= now
            ? (null, FieldError.Invalid("expires_at", "A new key's expires_at must be in the future."))
            : (KeyTime.Stored(expires.UtcDateTime), null);
    }

    private static (object?, FieldError?) Env(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return (null, null);
        }

        // Only the variable's name is checked and stored: its value is the upstream credential, read where it is used.
        return value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 and <= MaxEnvLength } name
            && !char.IsAsciiDigit(name[0]) && !name.AsSpan().ContainsAnyExcept(EnvChars)
                ? (name, null)
                : (null, FieldError.Invalid("upstream_key_env",
                    $"upstream_key_env must be null or the name of an environment variable ([A-Za-z_][A-Za-z0-9_]*, at most {MaxEnvLength}), e.g. \"OPENAI_KEY_BILLING\"."));
    }

    private static (object?, FieldError?) Labels(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return ("{}", null);
        }

        var error = FieldError.Invalid("labels",
            $"labels must be a JSON object of at most {MaxLabels} string values, keys of 1 to {MaxLabelKeyLength} and values of at most {MaxLabelValueLength} characters.");
        if (value.ValueKind != JsonValueKind.Object)
        {
            return (null, error);
        }

        var labels = new List<(string Key, string Value)>();
        foreach (var label in value.EnumerateObject())
        {
            if (labels.Count == MaxLabels || label.Name.Length is 0 or > MaxLabelKeyLength
                || label.Value.ValueKind != JsonValueKind.String || label.Value.GetString()!.Length > MaxLabelValueLength)
            {
                return (null, error);
            }

            labels.Add((label.Name, label.Value.GetString()!));
        }

        // In the order Postgres' jsonb keeps an object's keys (shorter first, then by bytes), so both stores answer alike.
        labels.Sort((a, b) => a.Key.Length != b.Key.Length ? a.Key.Length.CompareTo(b.Key.Length) : string.CompareOrdinal(a.Key, b.Key));
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var (key, text) in labels)
            {
                writer.WriteString(key, text);
            }

            writer.WriteEndObject();
        }

        return (System.Text.Encoding.UTF8.GetString(buffer.ToArray()), null);
    }
}
