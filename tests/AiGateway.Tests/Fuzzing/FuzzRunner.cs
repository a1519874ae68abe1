using CsCheck;
using Xunit;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Runs a property over a deterministic sequence of generated inputs. CsCheck's own <c>Sample</c> takes its seed for the
/// first case only and draws the rest from the clock, so the sequence is driven here from one <see cref="PCG"/> seeded
/// with <see cref="FuzzSettings.Seed"/>; CsCheck shrinks a failure (random search for a smaller input) and the failure
/// message names the run seed and the case seed that replay it.
/// </summary>
internal static class FuzzRunner
{
    /// <summary>Checks <paramref name="check"/> on <paramref name="iterations"/> inputs of <paramref name="gen"/> (or <c>AIGW_FUZZ_ITERATIONS</c>).</summary>
    public static async Task RunAsync<T>(string property, Gen<T> gen, Func<T, Task> check, int iterations, Func<T, string> print)
    {
        var stream = Stream(property);
        if (FuzzSettings.Case is { } replay)
        {
            // A case seed carries its property's stream: replay it only where it was drawn.
            var one = PCG.Parse(replay);
            if (one.Stream == stream)
            {
                await CheckAsync(property, gen, check, print, one, 0, 1);
            }

            return;
        }

        var pcg = new PCG(stream, FuzzSettings.Seed);
        var count = FuzzSettings.Iterations ?? iterations;
        for (var i = 0; i < count; i++)
        {
            await CheckAsync(property, gen, check, print, pcg, i, count);
        }
    }

    private static async Task CheckAsync<T>(string property, Gen<T> gen, Func<T, Task> check, Func<T, string> print, PCG pcg, int index, int count)
    {
        var state = pcg.State;
        var input = gen.Generate(pcg, null, out _);
        try
        {
            await check(input);
        }
        catch (Exception ex)
        {
            var caseSeed = pcg.ToString(state);
            var shrunk = await ShrinkAsync(gen, check, print, caseSeed);
            Assert.Fail($"""
                Fuzz property '{property}' failed on case {index + 1} of {count}.
                Run seed: AIGW_FUZZ_SEED={FuzzSettings.Seed}; this case alone: AIGW_FUZZ_CASE={caseSeed}
                Input:
                {print(input)}
                Failure: {ex}
                Shrunk by CsCheck: {shrunk}
                """);
        }
    }

    private static async Task<string> ShrinkAsync<T>(Gen<T> gen, Func<T, Task> check, Func<T, string> print, string caseSeed)
    {
        if (FuzzSettings.ShrinkIterations == 0)
        {
            return "(off)";
        }

        try
        {
            await gen.SampleAsync(check, seed: caseSeed, iter: FuzzSettings.ShrinkIterations, threads: 1, print: print);
            return "the failure did not reproduce";
        }
        catch (CsCheckException ex)
        {
            return ex.Message;
        }
    }

    // FNV-1a: a stable stream per property, so adding a property does not change the inputs of the others.
    private static uint Stream(string property)
    {
        var hash = 2166136261u;
        foreach (var c in property)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
