using System.Globalization;

/// <summary>
/// Loaded by the runtime before <c>Main</c> when named in <c>DOTNET_STARTUP_HOOKS</c>. Every 50 ms it writes one line
/// to the file named by <c>BENCH_GC_STATS</c>: bytes allocated so far, gen0/gen1/gen2 collection counts, total GC pause
/// in microseconds and the GC heap size. The bench reads it before and after a load run and divides by the requests.
/// </summary>
internal static class StartupHook
{
    /// <summary>Called by the runtime; the type must be named <c>StartupHook</c> and live in no namespace.</summary>
    public static void Initialize()
    {
        var path = Environment.GetEnvironmentVariable("BENCH_GC_STATS");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var thread = new Thread(() => Write(path)) { IsBackground = true, Name = "bench-gc-stats" };
        thread.Start();
    }

    private static void Write(string path)
    {
        var temp = path + ".tmp";
        while (true)
        {
            var line = string.Create(CultureInfo.InvariantCulture,
                $"{GC.GetTotalAllocatedBytes(precise: false)} {GC.CollectionCount(0)} {GC.CollectionCount(1)} {GC.CollectionCount(2)} {(long)GC.GetTotalPauseDuration().TotalMicroseconds} {GC.GetTotalMemory(forceFullCollection: false)}\n");
            try
            {
                File.WriteAllText(temp, line);
                // Rename is atomic: the bench never reads half a line.
                File.Move(temp, path, overwrite: true);
            }
            catch (IOException)
            {
                // The bench removed its temp folder while we were writing: nothing left to report to.
            }

            Thread.Sleep(50);
        }
    }
}
