using System.Net;
using System.Net.Sockets;

namespace AiGateway.Transforms.Payloads;

/// <summary>The checks that turn a regex candidate into a finding: a checksum or a parse, so that look-alikes stay.</summary>
internal static class RedactionChecks
{
    /// <summary>Whether the digits of <paramref name="candidate"/> (spaces and dashes ignored) are 13 to 19 long and pass the Luhn check.</summary>
    public static bool IsCardNumber(ReadOnlySpan<char> candidate)
    {
        int sum = 0, digits = 0;
        for (var i = candidate.Length - 1; i >= 0; i--)
        {
            var c = candidate[i];
            if (c is ' ' or '-')
            {
                continue;
            }

            var d = c - '0';
            if ((digits & 1) == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }

            sum += d;
            digits++;
        }

        return digits is >= 13 and <= 19 && sum % 10 == 0;
    }

    /// <summary>Whether <paramref name="candidate"/> (spaces ignored) is 15 to 34 characters long and passes the IBAN check (ISO 13616: mod 97 = 1).</summary>
    public static bool IsIban(ReadOnlySpan<char> candidate)
    {
        Span<char> compact = stackalloc char[34];
        var length = 0;
        foreach (var c in candidate)
        {
            if (c == ' ')
            {
                continue;
            }

            if (length == compact.Length)
            {
                return false;
            }

            compact[length++] = char.ToUpperInvariant(c);
        }

        if (length < 15)
        {
            return false;
        }

        // The first four characters move to the end; letters count as 10..35; the number mod 97 must be 1.
        var remainder = 0;
        for (var i = 0; i < length; i++)
        {
            var c = compact[(i + 4) % length];
            if (c is >= '0' and <= '9')
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (c is >= 'A' and <= 'Z')
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }

        return remainder == 1;
    }

    /// <summary>Whether <paramref name="candidate"/> parses as an IPv6 address with at least two groups (not a time like 10:30:00).</summary>
    public static bool IsIpv6(string candidate) =>
        candidate.Length >= 3 && candidate.AsSpan().IndexOfAny("0123456789abcdefABCDEF") >= 0
        && IPAddress.TryParse(candidate, out var address) && address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>Whether <paramref name="candidate"/> has 7 to 15 digits, as a phone number in any country has (E.164).</summary>
    public static bool IsPhoneNumber(ReadOnlySpan<char> candidate)
    {
        var digits = 0;
        foreach (var c in candidate)
        {
            if (char.IsAsciiDigit(c))
            {
                digits++;
            }
        }

        return digits is >= 7 and <= 15;
    }
}
