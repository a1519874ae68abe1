namespace AiGateway.Config;

/// <summary>The <c>Gateway:Cache</c> section.</summary>
public sealed class CacheOptions
{
    /// <summary>The fields dropped from the fingerprint when <see cref="IgnoreFields"/> is not configured.</summary>
    public static readonly IReadOnlyList<string> DefaultIgnoreFields = ["user"];

    /// <summary>How long an entry lives when neither the request, the route nor the org says otherwise.</summary>
    /// <value>Seconds, 1 to 31536000. Default 604800 (7 days).</value>
    public int DefaultTtlSeconds { get; set; } = 604800;

    /// <summary>Largest response stored; a larger one is relayed but not cached.</summary>
    /// <value>Bytes, 1 KiB to 512 MiB. Default 4 MiB.</value>
    public int MaxEntryBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>Top-level request fields left out of the fingerprint (they do not change the answer).</summary>
    /// <value>Field names. Default <c>["user"]</c>; an empty list keeps every field.</value>
    public string[]? IgnoreFields { get; set; }

    /// <summary>
    /// Size of the in-process store's ring of entries (only without Redis): a new entry overwrites the oldest ones, and
    /// an entry larger than an eighth of it (of 1 GiB beyond 1 GiB) is not stored.
    /// </summary>
    /// <value>Bytes, 1 MiB to 64 GiB. Default 64 MiB, committed as it fills, plus an index of about 50 bytes per entry.</value>
    public long MemoryLimitBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// With Redis: how long an instance keeps a copy of an entry it read, so repeated hits skip the Redis
    /// round trip. Never longer than the entry's remaining TTL; overwrites and purges drop the copies on every instance.
    /// </summary>
    /// <value>Seconds, 0 (off) to 60. Default 5.</value>
    public int NearSeconds { get; set; } = 5;

    /// <summary>With Redis: memory the near copies may use; beyond it new copies are not kept until older ones expire.</summary>
    /// <value>Bytes, 1 MiB to 64 GiB. Default 32 MiB.</value>
    public long NearLimitBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>The effective ignore list.</summary>
    public IReadOnlyList<string> EffectiveIgnoreFields => IgnoreFields ?? DefaultIgnoreFields;
}
