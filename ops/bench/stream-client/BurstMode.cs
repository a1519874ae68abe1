using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace StreamClient;

/// <summary>
/// Dedupe check: N identical requests released at the same instant (each on its own, already open connection), then
/// one line: wall time from the release to the last answer's end, per-request latency (and TTFT for streams), how
/// the gateway labelled them (<c>x-aigw-dedupe</c>, <c>x-aigw-cache</c>), and how many distinct answers came back
/// (streams: compared over their data lines only).
/// </summary>
internal static class BurstMode
{
    public static async Task<int> RunAsync(Program.Options options, string body)
    {
        var n = options.Burst;
        using var client = BenchHttp.NewClient(n, options.TimeoutSeconds, TimeSpan.FromSeconds(15));

        // Open the N connections first (concurrent GETs of a passthrough endpoint, no x-mock headers), so that the
        // burst measures the requests, not N TCP handshakes.
        await Task.WhenAll(Enumerable.Range(0, n).Select(async i =>
        {
            using var warm = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Urls[i % options.Urls.Count]), "/v1/models"));
            warm.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-bench-0000");
            using var response = await client.SendAsync(warm);
            await response.Content.ReadAsByteArrayAsync();
        }));

        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, n).Select(i => OneAsync(client, options, options.Urls[i % options.Urls.Count], body, release.Task)).ToArray();
        await Task.Delay(50); // every task is waiting on the release
        var start = Stopwatch.GetTimestamp();
        release.SetResult();
        var results = await Task.WhenAll(tasks);
        var wall = Stopwatch.GetElapsedTime(start);

        var ok = results.Count(r => r.Error is null);
        var latency = results.Where(r => r.Error is null).Select(r => Micros(r.Ended - start)).Order().ToArray();
        var ttft = results.Where(r => r.Error is null && r.FirstEvent > 0).Select(r => Micros(r.FirstEvent - start)).Order().ToArray();
        var distinct = results.Where(r => r.Error is null).Select(r => r.Hash).Distinct().Count();
        string Count(Func<Result, string?> pick, string? value) => results.Count(r => pick(r) == value).ToString(CultureInfo.InvariantCulture);
        var firstError = results.Select(r => r.Error).FirstOrDefault(e => e is not null);
        if (firstError is not null)
        {
            Console.Error.WriteLine($"first error: {firstError}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BENCH n={n} ok={ok} errors={n - ok} wall_us={Micros(wall.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond)} p50_us={Program.Percentile(latency, 50)} max_us={(latency.Length > 0 ? latency[^1] : 0)} ttft_p50_us={Program.Percentile(ttft, 50)} ttft_max_us={(ttft.Length > 0 ? ttft[^1] : 0)} leader={Count(r => r.Dedupe, "leader")} follower={Count(r => r.Dedupe, "follower")} unlabelled={Count(r => r.Dedupe, null)} cache_hit={Count(r => r.Cache, "hit")} distinct_answers={distinct} events={(results.FirstOrDefault(r => r.Error is null)?.Events ?? 0)}"));
        return 0;
    }

    private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    private sealed record Result(long FirstEvent, long Ended, string? Dedupe, string? Cache, string Hash, int Events, string? Error);

    private static async Task<Result> OneAsync(HttpClient client, Program.Options options, string url, string body, Task release)
    {
        using var request = BenchHttp.ChatRequest(url, body, options);

        await release;
        try
        {
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var dedupe = response.Headers.TryGetValues("x-aigw-dedupe", out var d) ? d.FirstOrDefault() : null;
            var cache = response.Headers.TryGetValues("x-aigw-cache", out var c) ? c.FirstOrDefault() : null;
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            if (options.NoStream)
            {
                var bytes = new MemoryStream();
                await stream.CopyToAsync(bytes, deadline.Token);
                var ended = Stopwatch.GetTimestamp();
                return response.StatusCode == HttpStatusCode.OK
                    ? new Result(0, ended, dedupe, cache, Convert.ToHexString(SHA256.HashData(bytes.GetBuffer().AsSpan(0, (int)bytes.Length))), 0, null)
                    : new Result(0, ended, dedupe, cache, "", 0, $"status {(int)response.StatusCode}");
            }

            var scan = new SseScan(hashDataLines: true);
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                scan.Feed(buffer.AsSpan(0, read));
            }

            var end = Stopwatch.GetTimestamp();
            var error = response.StatusCode != HttpStatusCode.OK ? $"status {(int)response.StatusCode}"
                : !scan.EndsWithDone ? "the stream ended without data: [DONE]" : null;
            return new Result(scan.FirstEvent, end, dedupe, cache, scan.DataHash(), scan.DataEvents, error);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException)
        {
            return new Result(0, Stopwatch.GetTimestamp(), null, null, "", 0, ex is OperationCanceledException ? "stalled: no complete answer within the timeout" : ex.Message);
        }
    }
}
