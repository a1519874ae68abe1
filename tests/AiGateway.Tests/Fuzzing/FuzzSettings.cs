using System.Globalization;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// The fuzz run's seed and length: a fixed seed by default, so CI sees the same inputs every run, and environment
/// variables for longer or different runs (<c>AIGW_FUZZ_SEED</c>, <c>AIGW_FUZZ_ITERATIONS</c>, <c>AIGW_FUZZ_CASE</c>).
/// </summary>
internal static class FuzzSettings
{
    /// <summary>The seed CI runs with.</summary>
    public const ulong DefaultSeed = 20261207;

    /// <summary>The run's seed: <c>AIGW_FUZZ_SEED</c> (a number, or <c>random</c> for a fresh one), else <see cref="DefaultSeed"/>.</summary>
    public static ulong Seed { get; } = ParseSeed(Environment.GetEnvironmentVariable("AIGW_FUZZ_SEED"));

    /// <summary>Cases per property when <c>AIGW_FUZZ_ITERATIONS</c> is set; each property's own default otherwise.</summary>
    public static int? Iterations { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("AIGW_FUZZ_ITERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : null;

    /// <summary>A single case to replay (<c>AIGW_FUZZ_CASE</c>, the case seed a failure prints); null runs the whole sequence.</summary>
    public static string? Case { get; } = Environment.GetEnvironmentVariable("AIGW_FUZZ_CASE") is { Length: > 0 } one ? one : null;

    /// <summary>How many smaller inputs CsCheck tries when a case fails (<c>AIGW_FUZZ_SHRINK</c>, default 150).</summary>
    public static int ShrinkIterations { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("AIGW_FUZZ_SHRINK"), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : 150;

    private static ulong ParseSeed(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return DefaultSeed;
        }

        if (string.Equals(text, "random", StringComparison.OrdinalIgnoreCase))
        {
            return (ulong)Random.Shared.NextInt64();
        }

        return ulong.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
