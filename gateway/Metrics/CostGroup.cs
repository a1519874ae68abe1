namespace AiGateway.Metrics;

/// <summary>Counts and money of one (route, model) pair over a range, as the rollup keeps them; route and model are '' when absent.</summary>
internal sealed record CostGroup(string Route, string Model, long Requests, long CacheHits, long PromptTokens, long CompletionTokens, decimal CostUsd, decimal SavedUsd);
