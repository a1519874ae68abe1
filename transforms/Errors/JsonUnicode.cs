using System.Text.Unicode;

namespace AiGateway.Transforms.Errors;

/// <summary>
/// Whether a JSON text holds only well-formed Unicode: valid UTF-8 bytes, and no <c>\uXXXX</c> escape of a lone surrogate.
/// <see cref="System.Text.Json.JsonDocument"/> accepts both, then throws when a string is read (<c>GetString</c>), so a
/// body that passes the parser could still fail deep in the pipeline, or be forwarded and cached as it is.
/// </summary>
internal static class JsonUnicode
{
    /// <summary>True when <paramref name="json"/> is valid UTF-8 and every surrogate escape is half of a pair.</summary>
    public static bool IsWellFormed(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
        {
            return false;
        }

        // Escapes appear only inside strings, so a scan from backslash to backslash sees each one whole; "\\" is skipped
        // as a pair, so the "u" in "\\u" is never taken for an escape.
        var i = json.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < json.Length)
        {
            if (json[i + 1] != (byte)'u')
            {
                i = Next(json, i + 2);
                continue;
            }

            if (!TryHex4(json, i + 2, out var unit))
            {
                // Not an escape the parser would have taken; the parser refuses the text on its own.
                i = Next(json, i + 2);
                continue;
            }

            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return false;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                // A high surrogate must be followed at once by the escape of a low one.
                if (i + 12 <= json.Length && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u'
                    && TryHex4(json, i + 8, out var low) && low is >= 0xDC00 and <= 0xDFFF)
                {
                    i = Next(json, i + 12);
                    continue;
                }

                return false;
            }

            i = Next(json, i + 6);
        }

        return true;
    }

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length)
        {
            return -1;
        }

        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    private static bool TryHex4(ReadOnlySpan<byte> json, int at, out int value)
    {
        value = 0;
        if (at + 4 > json.Length)
        {
            return false;
        }

        for (var k = 0; k < 4; k++)
        {
            var digit = HexValue(json[at + k]);
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | digit;
        }

        return true;
    }

    private static int HexValue(byte c) => c switch
    {
        >= (byte)'0' and <= (byte)'9' => c - '0',
        >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
        >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
        _ => -1,
    };
}
