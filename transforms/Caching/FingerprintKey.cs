using System.Buffers.Binary;

namespace AiGateway.Transforms.Caching;

/// <summary>
/// A <see cref="RequestFingerprint"/> (lower-case hex SHA-256) as its 32 bytes: an index key that is no heap object.
/// </summary>
internal readonly record struct FingerprintKey(ulong A, ulong B, ulong C, ulong D)
{
    /// <summary>The bytes a key takes in a record.</summary>
    public const int Size = 32;

    /// <summary>Parses a fingerprint; false for anything <see cref="RequestFingerprint.Compute"/> cannot produce.</summary>
    public static bool TryParse(string fingerprint, out FingerprintKey key)
    {
        Span<byte> bytes = stackalloc byte[Size];
        // Upper-case hex is refused so that one key stands for exactly one fingerprint string.
        if (fingerprint.Length != Size * 2 || fingerprint.AsSpan().ContainsAnyInRange('A', 'F')
            || Convert.FromHexString(fingerprint, bytes, out _, out _) != System.Buffers.OperationStatus.Done)
        {
            key = default;
            return false;
        }

        key = Read(bytes);
        return true;
    }

    /// <summary>Reads a key written by <see cref="Write"/>.</summary>
    public static FingerprintKey Read(ReadOnlySpan<byte> source) => new(
        BinaryPrimitives.ReadUInt64LittleEndian(source),
        BinaryPrimitives.ReadUInt64LittleEndian(source[8..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[16..]),
        BinaryPrimitives.ReadUInt64LittleEndian(source[24..]));

    /// <summary>Writes the key's 32 bytes.</summary>
    public void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, A);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], D);
    }

    /// <inheritdoc/>
    public override int GetHashCode() => (int)A; // SHA-256 bits are uniform: any 32 of them hash as well as all 256.
}
