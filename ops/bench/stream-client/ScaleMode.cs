using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace StreamClient;

/// <summary>
/// Scale check: N streams, each on its own connection and sent once, started evenly over the ramp, all held open
/// together (a slow upstream: one event a second). One line: how many completed whole (every expected data line
/// and <c>data: [DONE]</c>), how many were dropped or failed, TTFT and total percentiles, the peak number open at
/// once. Lines "PROGRESS …" on stderr every 5 s.
/// </summary>
internal static class ScaleMode
{
    private static int s_open;
    private static int s_peak;

    public static async Task<int> RunAsync(Program.Options options, string nonce)
    {
        var n = options.Scale;
        using var client = BenchHttp.NewClient(n, options.TimeoutSeconds, TimeSpan.FromSeconds(30));

        var prefix = Program.BodyPrefix(options, nonce, 0);
        var results = new Result[n];
        var tasks = new Task[n];
        var start = Stopwatch.GetTimestamp();
        var rampTicks = Program.Seconds(options.RampSeconds);
        using var progress = new Timer(_ => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PROGRESS t={Stopwatch.GetElapsedTime(start).TotalSeconds:F0}s open={Volatile.Read(ref s_open)} peak={Volatile.Read(ref s_peak)}")), null, 5000, 5000);
        for (var i = 0; i < n; i++)
        {
            var due = start + rampTicks * i / n;
            var wait = due - Stopwatch.GetTimestamp();
            if (wait > Stopwatch.Frequency / 100)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            var index = i;
            tasks[i] = Task.Run(async () => results[index] = await OneAsync(client, options, prefix + index.ToString(CultureInfo.InvariantCulture) + Program.Worker.BodySuffix));
        }

        await Task.WhenAll(tasks);
        var ok = results.Where(r => r.Error is null).ToArray();
        var ttft = ok.Select(r => r.TtftUs).Order().ToArray();
        var total = ok.Select(r => r.TotalUs).Order().ToArray();
        var errors = results.Where(r => r.Error is not null).ToArray();
        var dropped = errors.Count(r => r.Dropped);
        foreach (var group in errors.GroupBy(r => r.Error).OrderByDescending(g => g.Count()).Take(5))
        {
            Console.Error.WriteLine($"{group.Count()} x {group.Key}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BENCH streams={n} ok={ok.Length} dropped={dropped} errors={errors.Length - dropped} peak_open={s_peak} ttft_p50_us={Program.Percentile(ttft, 50)} ttft_p99_us={Program.Percentile(ttft, 99)} ttft_max_us={(ttft.Length > 0 ? ttft[^1] : 0)} p50_us={Program.Percentile(total, 50)} p99_us={Program.Percentile(total, 99)} max_us={(total.Length > 0 ? total[^1] : 0)} wall_s={Stopwatch.GetElapsedTime(start).TotalSeconds:F1}"));
        return 0;
    }

    private readonly record struct Result(long TtftUs, long TotalUs, string? Error, bool Dropped);

    private static async Task<Result> OneAsync(HttpClient client, Program.Options options, string body)
    {
        var began = Stopwatch.GetTimestamp();
        var opened = false;
        try
        {
            using var request = BenchHttp.ChatRequest(options.Url, body, options);

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return new Result(0, 0, $"status {(int)response.StatusCode}", false);
            }

            var now = Interlocked.Increment(ref s_open);
            opened = true;
            int peak;
            while (now > (peak = Volatile.Read(ref s_peak)) && Interlocked.CompareExchange(ref s_peak, now, peak) != peak)
            {
            }

            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            var scan = new SseScan();
            var buffer = new byte[4096];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                scan.Feed(buffer.AsSpan(0, read));
            }

            var ended = Stopwatch.GetTimestamp();
            if (!scan.EndsWithDone || (options.ExpectEvents > 0 && scan.DataEvents < options.ExpectEvents))
            {
                return new Result(0, 0, $"dropped: {scan.DataEvents} data lines, [DONE] {(scan.EndsWithDone ? "seen" : "missing")}", true);
            }

            return new Result(Micros(scan.FirstEvent - began), Micros(ended - began), null, false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return new Result(0, 0, ex is OperationCanceledException ? "stalled: no complete stream within the timeout" : ex.GetType().Name + ": " + ex.Message, opened);
        }
        finally
        {
            if (opened)
            {
                Interlocked.Decrement(ref s_open);
            }
        }
    }

    private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;
}
