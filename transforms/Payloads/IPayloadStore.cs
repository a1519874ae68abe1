namespace AiGateway.Transforms.Payloads;

/// <summary>Where payloads live (<c>ai_payloads</c>): Postgres or the embedded store.</summary>
internal interface IPayloadStore
{
    /// <summary>Writes <paramref name="batch"/>; a payload stored already (same request id) is kept as it was.</summary>
    Task WriteAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Makes room ahead (Postgres: today's and tomorrow's partitions) and removes the payloads of the days before the
    /// <paramref name="retentionDays"/> kept before today (UTC); returns what was removed (partitions or rows).
    /// </summary>
    Task<long> MaintainAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken);

    /// <summary>Erases the stored payloads of an org, or of one of its customers (<paramref name="customerId"/>); returns how many.</summary>
    Task<long> EraseAsync(string orgId, string? customerId, CancellationToken cancellationToken);

    /// <summary>The logged calls <paramref name="search"/> selects, newest first: their main columns and whether a payload is stored (<c>has_payload</c>).</summary>
    Task<IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>>> SearchAsync(LogSearch search, CancellationToken cancellationToken);

    /// <summary>The call's log row and its payload, or null when neither exists.</summary>
    Task<LoggedCall?> ReadAsync(Guid requestId, CancellationToken cancellationToken);
}
