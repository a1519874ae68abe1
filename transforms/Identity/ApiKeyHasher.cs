using System.Security.Cryptography;
using System.Text;

namespace AiGateway.Transforms.Identity;

/// <summary>Issues virtual keys and hashes keys for storage and lookup; keys themselves are never stored.</summary>
public static class ApiKeyHasher
{
    /// <summary>The prefix of every virtual key.</summary>
    public const string VirtualKeyPrefix = "aigw_";

    /// <summary>A new random virtual key: <c>aigw_</c> + 32 random bytes, base64url.</summary>
    public static string NewVirtualKey()
    {
        Span<byte> random = stackalloc byte[32];
        RandomNumberGenerator.Fill(random);
        return VirtualKeyPrefix + Convert.ToBase64String(random).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    /// <summary>Lower-case hex SHA-256 of the key's UTF-8 bytes, written into <paramref name="hex"/> (64 chars).</summary>
    public static void Hash(ReadOnlySpan<char> key, Span<char> hex)
    {
        Span<byte> utf8 = key.Length <= 256 ? stackalloc byte[key.Length * 3] : new byte[key.Length * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(utf8[..length], hash);
        Convert.TryToHexStringLower(hash, hex, out _);
    }

    /// <summary>Lower-case hex SHA-256 of the key.</summary>
    public static string Hash(string key)
    {
        Span<char> hex = stackalloc char[64];
        Hash(key, hex);
        return new string(hex);
    }
}
