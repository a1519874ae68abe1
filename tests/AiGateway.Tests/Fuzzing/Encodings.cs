using System.Text;
using CsCheck;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Byte-level damage to a JSON text: invalid UTF-8, overlong forms, raw (CESU-8) surrogates, code points past U+10FFFF,
/// NUL, byte order marks, UTF-16 instead of UTF-8, truncation and trailing garbage. Two bodies in three are left whole, so
/// the JSON-level cases still reach the endpoints' own checks.
/// </summary>
internal static class Encodings
{
    private static readonly byte[][] Invalid =
    [
        [0xC3, 0x28], [0xFF], [0xFE], [0x80], [0xBF], [0xC0], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0xF8, 0x88, 0x80, 0x80, 0x80],
    ];

    private static readonly byte[][] Overlong = [[0xC0, 0xAF], [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0xAF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0xAF]];

    private static readonly byte[][] RawSurrogate = [[0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF], [0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80]];

    private static readonly byte[][] PastUnicode = [[0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xF7, 0xBF, 0xBF, 0xBF]];

    private static readonly string[] Trailing = ["}", "]", " x", "\0", ",", "{}", "\n\n{\"a\":1}", "// comment", "/* */", "\u001a", "  \r\n", "null"];

    /// <summary>The bytes of <paramref name="json"/>, mostly as UTF-8 unchanged, sometimes damaged.</summary>
    public static Gen<byte[]> Damage(Gen<string> json) =>
        Gen.Select(json, Gen.Int[0, 29], Gen.Double[0, 1], Gen.Int[0, 100], (text, kind, where, pick) => Apply(text, kind, where, pick));

    private static byte[] Apply(string text, int kind, double where, int pick)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return kind switch
        {
            0 => InsideString(bytes, where, Invalid[pick % Invalid.Length]),
            1 => InsideString(bytes, where, Overlong[pick % Overlong.Length]),
            2 => InsideString(bytes, where, RawSurrogate[pick % RawSurrogate.Length]),
            3 => InsideString(bytes, where, PastUnicode[pick % PastUnicode.Length]),
            4 => InsideString(bytes, where, [0x00]),
            5 => [0xEF, 0xBB, 0xBF, .. bytes],
            6 => pick % 2 == 0 ? Encoding.Unicode.GetPreamble().Concat(Encoding.Unicode.GetBytes(text)).ToArray() : Encoding.BigEndianUnicode.GetBytes(text),
            7 => bytes[..(int)(bytes.Length * where)],
            8 => [.. bytes, .. Encoding.UTF8.GetBytes(Trailing[pick % Trailing.Length])],
            9 => Flip(bytes, where, pick),
            _ => bytes,
        };
    }

    // After a quote, so the bytes land inside a string or a key about half the time, where a parser does not look at them.
    private static byte[] InsideString(byte[] bytes, double where, byte[] insert)
    {
        var quotes = new List<int>();
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'"')
            {
                quotes.Add(i + 1);
            }
        }

        var at = quotes.Count == 0 ? (int)(bytes.Length * where) : quotes[Math.Min(quotes.Count - 1, (int)(quotes.Count * where))];
        return [.. bytes[..at], .. insert, .. bytes[at..]];
    }

    private static byte[] Flip(byte[] bytes, double where, int pick)
    {
        if (bytes.Length == 0)
        {
            return [(byte)pick];
        }

        var copy = (byte[])bytes.Clone();
        var at = Math.Min(copy.Length - 1, (int)(copy.Length * where));
        copy[at] = (byte)(copy[at] ^ (1 << (pick % 8)));
        return copy;
    }
}
