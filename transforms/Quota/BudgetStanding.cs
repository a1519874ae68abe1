namespace AiGateway.Transforms.Quota;

/// <summary>What the call's org had spent this month when the quota step checked its hard budget (a request feature; AUTO mode reads it too).</summary>
/// <param name="Spent">The month's spend as counted then.</param>
internal sealed record BudgetStanding(MonthSpend Spent);
