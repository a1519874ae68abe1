namespace AiGateway.Costs;

/// <summary>
/// What a costs export covers: the UTC days <c>[From, To)</c> (open where null), an org and a customer (each optional),
/// and the period each row sums.
/// </summary>
internal sealed record CostsQuery(DateOnly? From, DateOnly? To, string? Org, string? Customer, CostPeriod Group)
{
    /// <summary>Whether the range starts and ends on the first day of a month (or is open there), so whole months answer it.</summary>
    public bool WholeMonths => From is not { Day: not 1 } && To is not { Day: not 1 };
}
