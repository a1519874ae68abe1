namespace AiGateway.Costs;

/// <summary>The width of one row's <c>period</c> in the costs export (UTC).</summary>
internal enum CostPeriod
{
    /// <summary>One UTC day, written <c>yyyy-MM-dd</c>.</summary>
    Day,

    /// <summary>One UTC calendar month, written <c>yyyy-MM</c>.</summary>
    Month,
}
