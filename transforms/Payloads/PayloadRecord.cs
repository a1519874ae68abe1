namespace AiGateway.Transforms.Payloads;

/// <summary>A row of <c>ai_payloads</c> (CONTRACT §10.7): what was kept of one call, keyed by its log row's id.</summary>
public sealed record PayloadRecord
{
    /// <summary>The call's log row id (<c>x-aigw-request-id</c>).</summary>
    public required Guid RequestId { get; init; }

    /// <summary>When the call started: its log row's <c>ts</c>, and the day partition it lives in.</summary>
    public required DateTimeOffset Ts { get; init; }

    /// <summary>The org.</summary>
    public required string OrgId { get; init; }

    /// <summary>The customer, or null.</summary>
    public string? CustomerId { get; init; }

    /// <summary>What was kept: <c>metadata</c>, <c>redacted</c> or <c>full</c>.</summary>
    public required string Level { get; init; }

    /// <summary>The request body after the mode rewrite (or its shape), or null.</summary>
    public string? RequestBody { get; init; }

    /// <summary>The answer's body, a stream's answer assembled as one JSON answer (or its shape), or null when this call did not produce the answer (a cache hit, a follower).</summary>
    public string? ResponseBody { get; init; }

    /// <summary>Whether a side was cut at <c>Gateway:Payloads:MaxBytes</c>.</summary>
    public bool Truncated { get; init; }

    /// <summary>The placeholders by type (<c>{"EMAIL":2}</c>) as JSON, or null when nothing was redacted.</summary>
    public string? Redactions { get; init; }
}
