namespace AiGateway.Transforms.Endpoints;

/// <summary>Performance-log row ids: time-ordered UUID v7 (RFC 9562) whose random bits come from <see cref="Random.Shared"/>.</summary>
internal static class RequestId
{
    /// <summary>
    /// A UUID v7 for a call started at <paramref name="at"/>: 48 bits of Unix milliseconds, then 74 random bits.
    /// <see cref="Guid.CreateVersion7()"/> reads the kernel's secure random source, one system call per request;
    /// a row id names a log row and is no secret, so the per-thread generator (securely seeded) is random enough.
    /// </summary>
    public static Guid NewVersion7(DateTimeOffset at)
    {
        Span<byte> random = stackalloc byte[10];
        Random.Shared.NextBytes(random);
        var milliseconds = at.ToUnixTimeMilliseconds();
        var versionAndRandom = (short)(0x7000 | ((random[0] << 8 | random[1]) & 0x0FFF));
        var variantAndRandom = (byte)(0x80 | (random[2] & 0x3F));
        return new Guid((int)(milliseconds >> 16), (short)milliseconds, versionAndRandom, variantAndRandom,
            random[3], random[4], random[5], random[6], random[7], random[8], random[9]);
    }
}
