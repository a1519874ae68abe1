namespace AiGateway.Metrics;

/// <summary>One costly call of the log (<c>top_expensive</c>); <see cref="Id"/> is its <c>x-aigw-request-id</c>.</summary>
internal sealed record ExpensiveCall(
    Guid Id,
    DateTimeOffset Ts,
    string OrgId,
    string Route,
    string Model,
    bool Stream,
    long PromptTokens,
    long CompletionTokens,
    decimal CostUsd,
    int DurationMs);
