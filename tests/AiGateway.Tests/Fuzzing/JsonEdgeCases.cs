using System.Text;
using CsCheck;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Generators of JSON text, valid and not: edge numbers and NaN-like tokens, strings with every kind of escape (lone
/// surrogates included), deep nesting, duplicate keys, wrong types, empty containers, trailing garbage and truncation.
/// Text is built by hand, not serialised, so that what no serialiser would write can be written.
/// </summary>
internal static class JsonEdgeCases
{
    /// <summary>Numbers at and past every edge a parser or a converter has, and tokens that look like numbers.</summary>
    public static readonly Gen<string> Number = Gen.Frequency(
        (3, Gen.OneOf(
            "0", "-0", "1", "-1", "0.5", "1e3", "2147483647", "2147483648", "-2147483649", "4294967296", "9007199254740993",
            "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
            "123456789012345678901234567890123456789", "1e309", "-1e309", "1e-400", "4.9e-324", "1.7976931348623157e308",
            "1E400", "0.000000000000000000000000000001", "1.0", "1e0", "-0.0", "79228162514264337593543950336", "1e28", "1e29")),
        (1, Gen.OneOf("NaN", "-NaN", "Infinity", "-Infinity", "nan", "inf", "+1", "01", "00", "1.", ".5", "1e", "1e+", "0x10", "1_000", "--1", "1.2.3")),
        (2, Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Double.Select(d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
        (1, Gen.Int[1, 400].Select(n => new string('9', n))));

    /// <summary>JSON string literals: plain, long, escaped, with lone or reversed surrogate escapes, controls, raw non-ASCII.</summary>
    public static readonly Gen<string> String = Gen.Frequency(
        (4, Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz ABC0123456789.-_:/@+"], 0, 20].Select(Quote)),
        (2, Gen.OneOf(
            "\"\"", "\" \"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\udbff\\udbff\"", "\"\\udc00\\ud800\"", "\"x\\ud83d\"",
            "\"\\ud83d\\ude00\"", "\"\\uD800\\u0041\"", "\"\\\\ud800\"", "\"\\uFFFF\"", "\"\\uFEFF\"", "\"\\u00\"", "\"\\uZZZZ\"", "\"\\x41\"",
            "\"\\'\"", "\"\\\"", "\"\\n\\r\\t\\b\\f\\/\\\\\\\"\"", "\"tab\there\"", "\"nl\nraw\"", "\"\u0001\u001f\"", "\"\u2028\u2029\"",
            "\"é中😀\"", "\"\u0085\u00a0\"", "'single'", "\"unterminated", "\"\\u202e\"")),
        (1, Gen.Int[1, 70000].Select(n => Quote(new string('x', n)))),
        (1, Gen.Int[1, 2000].Select(n => Quote(string.Concat(Enumerable.Repeat("\\ud83d\\ude00", n))))),
        (1, Gen.String[Gen.Char, 0, 40].Select(QuoteWithAnyChars)));

    /// <summary>Any scalar token, valid or near-valid.</summary>
    public static readonly Gen<string> Scalar = Gen.Frequency(
        (3, String), (3, Number), (2, Gen.OneOf("true", "false", "null")), (1, Gen.OneOf("True", "NULL", "tru", "nul", "undefined", "", " ", "-", "{", "}", "[", "]", ",", ":")));

    /// <summary>Object keys, with duplicates likely (a small vocabulary) and some odd ones.</summary>
    public static readonly Gen<string> Key = Gen.Frequency(
        (4, Gen.OneOf("\"model\"", "\"messages\"", "\"stream\"", "\"input\"", "\"role\"", "\"content\"", "\"type\"", "\"text\"", "\"n\"", "\"a\"")),
        (1, Gen.OneOf("\"\"", "\"\\ud800\"", "\"mod\\u0065l\"", "\"MODEL\"", "model", "1", "\"\\u0000\"", "\"__proto__\"")),
        (1, Gen.Int[1, 3000].Select(n => Quote(new string('k', n)))));

    /// <summary>Any JSON value up to a few levels deep, objects with duplicate keys and empty containers included.</summary>
    public static readonly Gen<string> Value = Gen.Recursive<string>((depth, value) => depth >= 3
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Gen.OneOf("{}", "[]", "[[]]", "{\"\":{}}", "[null]", "{\"a\":null}")),
            (2, value.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (2, Gen.Select(Key, value).Array[0, 4].Select(Object))));

    /// <summary>Nesting far past any parser's depth limit (64 in System.Text.Json by default), as arrays or objects.</summary>
    public static readonly Gen<string> Deep = Gen.Select(Gen.Int[1, 12000], Gen.Bool, Gen.Bool, (depth, arrays, closed) =>
    {
        var text = new StringBuilder(depth * 6);
        for (var i = 0; i < depth; i++)
        {
            text.Append(arrays ? "[" : "{\"a\":");
        }

        text.Append('1');
        if (closed)
        {
            for (var i = 0; i < depth; i++)
            {
                text.Append(arrays ? ']' : '}');
            }
        }

        return text.ToString();
    });

    /// <summary>A JSON object text from its members, duplicates kept.</summary>
    public static string Object(IEnumerable<(string Key, string Value)> members) =>
        "{" + string.Join(",", members.Select(m => m.Key + ":" + m.Value)) + "}";

    /// <summary>A JSON string literal of <paramref name="text"/> with the minimal escapes.</summary>
    public static string Quote(string text) => "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    // Any char, lone surrogates included: they reach the body as UTF-8 replacement bytes or as escapes, both worth sending.
    private static string QuoteWithAnyChars(string text)
    {
        var quoted = new StringBuilder("\"");
        foreach (var c in text)
        {
            if (char.IsSurrogate(c) || c < ' ' || c == '"' || c == '\\')
            {
                quoted.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                quoted.Append(c);
            }
        }

        return quoted.Append('"').ToString();
    }
}
