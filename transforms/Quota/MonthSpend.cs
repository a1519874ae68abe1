namespace AiGateway.Transforms.Quota;

/// <summary>What an org has spent in a calendar month: billed tokens and USD, the latter in exact units of 10⁻¹⁰ USD.</summary>
/// <param name="Tokens">Prompt plus completion tokens of the calls that reached the upstream (hits and followers excluded).</param>
/// <param name="UsdUnits">Their cost in units of 10⁻¹⁰ USD, the scale of <c>numeric(20,10)</c>, so sums stay exact integers.</param>
internal readonly record struct MonthSpend(long Tokens, long UsdUnits)
{
    private const decimal UnitsPerUsd = 10_000_000_000m;

    /// <summary>The cost in USD.</summary>
    public decimal Usd => UsdUnits / UnitsPerUsd;

    /// <summary>Units of 10⁻¹⁰ USD in <paramref name="usd"/> (rounded half away from zero, as the log rounds costs).</summary>
    public static long ToUnits(decimal usd) => (long)decimal.Round(usd * UnitsPerUsd, 0, MidpointRounding.AwayFromZero);

    /// <summary>The sum of two spends.</summary>
    public static MonthSpend operator +(MonthSpend a, MonthSpend b) => new(a.Tokens + b.Tokens, a.UsdUnits + b.UsdUnits);

    /// <summary>The difference of two spends (negative where <paramref name="b"/> is larger).</summary>
    public static MonthSpend operator -(MonthSpend a, MonthSpend b) => new(a.Tokens - b.Tokens, a.UsdUnits - b.UsdUnits);
}
