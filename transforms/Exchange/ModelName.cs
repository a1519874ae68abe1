using System.Text.Json;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// The shape a client's <c>model</c> must have (CONTRACT §10.9): <c>[A-Za-z0-9._:/@+-]{1,256}</c>. Every OpenAI model
/// name fits, fine-tunes (<c>ft:gpt-4o-mini:acme::abc</c>) and other providers' names (<c>meta-llama/Llama-3@v1</c>)
/// too; the bound keeps a client's name out of metric labels, headers and log columns at any other size.
/// </summary>
internal static class ModelName
{
    /// <summary>The longest model name taken.</summary>
    public const int MaxLength = 256;

    /// <summary>Whether <paramref name="model"/> (a <c>model</c> member) is a string of the allowed shape.</summary>
    public static bool IsValid(JsonElement model)
    {
        if (model.ValueKind != JsonValueKind.String)
        {
            return false;
        }

        // An escape takes at most 6 bytes per character: anything longer is too long, read or not.
        var raw = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(model);
        return raw.Length <= (MaxLength * 6) + 2 && IsValid(model.GetString());
    }

    /// <summary>Whether <paramref name="model"/> has the allowed shape.</summary>
    public static bool IsValid(string? model)
    {
        if (string.IsNullOrEmpty(model) || model.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in model)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or ':' or '/' or '@' or '+' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
