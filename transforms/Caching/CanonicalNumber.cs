using System.Buffers;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// Writes a JSON number in one exact form, so that equal numbers hash equally without a round trip through
/// <c>double</c>: significant digits with no leading or trailing zeros, then <c>e</c> and a decimal exponent when it is
/// not zero. <c>1</c>, <c>1.0</c> and <c>1e0</c> give <c>1</c>; <c>0.50</c> gives <c>5e-1</c>; <c>1200</c> gives <c>12e2</c>;
/// <c>-0</c> gives <c>0</c>; integers beyond 2^53 keep every digit.
/// </summary>
internal static class CanonicalNumber
{
    /// <summary>Writes the canonical form of <paramref name="number"/> into <paramref name="output"/> (at least its length + 24 bytes).</summary>
    public static int Write(ReadOnlySpan<byte> number, Span<byte> output)
    {
        var writer = new SpanWriter(output);
        Write(number, ref writer);
        return writer.Length;
    }

    /// <summary>Writes the canonical form of the JSON number <paramref name="number"/> (its raw UTF-8 text).</summary>
    public static void Write(ReadOnlySpan<byte> number, IBufferWriter<byte> output)
    {
        var span = output.GetSpan(number.Length + 24);
        output.Advance(Write(number, span));
    }

    private static void Write(ReadOnlySpan<byte> number, ref SpanWriter output)
    {
        var negative = number[0] == (byte)'-';
        if (negative)
        {
            number = number[1..];
        }

        var exponentAt = number.IndexOfAny((byte)'e', (byte)'E');
        var mantissa = exponentAt < 0 ? number : number[..exponentAt];
        long exponent = 0;
        if (exponentAt >= 0 && !TryParseExponent(number[(exponentAt + 1)..], out exponent))
        {
            // An exponent beyond ±9e18 is not a real value anyone sends; keep its text so it still hashes consistently.
            output.Write(negative ? "-"u8 : default);
            output.Write(number);
            return;
        }

        var dot = mantissa.IndexOf((byte)'.');
        var integerDigits = dot < 0 ? mantissa : mantissa[..dot];
        var fractionDigits = dot < 0 ? default : mantissa[(dot + 1)..];
        exponent -= fractionDigits.Length;

        // Significant digits = integer digits followed by fraction digits, without leading and trailing zeros.
        Span<byte> digits = integerDigits.Length + fractionDigits.Length <= 256
            ? stackalloc byte[integerDigits.Length + fractionDigits.Length]
            : new byte[integerDigits.Length + fractionDigits.Length];
        integerDigits.CopyTo(digits);
        fractionDigits.CopyTo(digits[integerDigits.Length..]);
        var significant = digits.TrimStart((byte)'0');
        var trimmed = significant.TrimEnd((byte)'0');
        if (trimmed.IsEmpty)
        {
            output.Write("0"u8);
            return;
        }

        exponent += significant.Length - trimmed.Length;
        if (negative)
        {
            output.Write("-"u8);
        }

        output.Write(trimmed);
        if (exponent != 0)
        {
            output.Write("e"u8);
            Span<byte> text = stackalloc byte[24];
            exponent.TryFormat(text, out var length, provider: System.Globalization.CultureInfo.InvariantCulture);
            output.Write(text[..length]);
        }
    }

    private ref struct SpanWriter(Span<byte> span)
    {
        private readonly Span<byte> _span = span;

        public int Length { get; private set; }

        public void Write(scoped ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(_span[Length..]);
            Length += bytes.Length;
        }
    }

    private static bool TryParseExponent(ReadOnlySpan<byte> text, out long exponent)
    {
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (text.Length > 0 && text[0] is (byte)'-' or (byte)'+')
        {
            text = text[1..];
        }

        exponent = 0;
        foreach (var digit in text)
        {
            if (exponent > (long.MaxValue / 10) - 10)
            {
                return false;
            }

            exponent = (exponent * 10) + (digit - '0');
        }

        if (negative)
        {
            exponent = -exponent;
        }

        return true;
    }
}
