namespace AiGateway.Transforms.Audit;

/// <summary>Which audit entries to read: those in <c>[From, To)</c> (open where null) for a target and an action (any where null), newest first, at most <see cref="Limit"/>.</summary>
public sealed record AuditQuery(DateTimeOffset? From, DateTimeOffset? To, string? Target, string? Action, int Limit)
{
    /// <summary>Entries answered when the caller names no limit.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Most entries one read answers.</summary>
    public const int MaxLimit = 1000;
}
