using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using HdrHistogram;

namespace StreamClient;

/// <summary>
/// Open-loop load at a fixed rate (issue 21): request i is due at start + i / rate whatever happened to the ones
/// before it, and its latency is measured from that intended time to the end of its answer, so a stall in the proxy
/// shows in every request it delayed (coordinated omission corrected, as wrk2 does). A dedicated thread keeps the
/// schedule (an absolute-deadline sleep on the monotonic clock, so it does not drift) and hands each due request to
/// the thread pool; the client opens a new connection whenever none is free, so a request is never held back for
/// lack of one. Latencies go into HdrHistogram (3 significant digits). One line: sent, completed, errors, the rate
/// achieved, p50/p90/p99/p99.9/max of the latency (and of TTFT for streams), how late the schedule itself ran (the
/// generator's own lag, included in the latencies), the peak in flight and the connections opened.
/// </summary>
internal static partial class RateMode
{
    private const long HighestMicros = 600_000_000; // 10 minutes: any longer is a timeout (an error) anyway
    private const int ClockMonotonic = 1;
    private const int TimerAbsTime = 1;
    private const int Eintr = 4;

    private static readonly LongConcurrentHistogram Latency = new(1, HighestMicros, 3);
    private static readonly LongConcurrentHistogram Ttft = new(1, HighestMicros, 3);
    private static readonly LongHistogram Lag = new(1, HighestMicros, 3);
    private static int s_inFlight;
    private static int s_peakInFlight;
    private static int s_connections;
    private static long s_errors;
    private static long s_non2xx;
    private static long s_completed;
    private static string? s_firstError;

    public static async Task<int> RunAsync(Program.Options options, string nonce)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            // Counts the connections opened (a new one whenever none is idle: the pool is unbounded).
            ConnectCallback = async (context, token) =>
            {
                Interlocked.Increment(ref s_connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, token);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        using var client = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds) };

        // Open some connections first, so that the warm-up does not start with a burst of handshakes.
        await Task.WhenAll(Enumerable.Range(0, options.Connections).Select(async _ =>
        {
            using var warm = new HttpRequestMessage(HttpMethod.Get, new Uri(new Uri(options.Url), "/v1/models"));
            warm.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-bench-0000");
            using var response = await client.SendAsync(warm);
            await response.Content.ReadAsByteArrayAsync();
        }));

        var prefix = Program.BodyPrefix(options, nonce, 0);
        var period = Stopwatch.Frequency / options.Rate;
        var start = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
        var measureFrom = start + Program.Seconds(options.WarmupSeconds);
        var end = measureFrom + Program.Seconds(options.DurationSeconds);
        long sent = 0, measuredSent = 0;
        var outstanding = new List<Task>(capacity: (int)Math.Min(int.MaxValue / 2, options.Rate * (options.WarmupSeconds + options.DurationSeconds) + 16));
        var scheduler = new Thread(() =>
        {
            for (long i = 0; ; i++)
            {
                var intended = start + (long)(i * period);
                if (intended >= end)
                {
                    break;
                }

                SleepUntil(intended);
                var measured = intended >= measureFrom;
                if (measured)
                {
                    Lag.RecordValue(Math.Max(0, Micros(Stopwatch.GetTimestamp() - intended)));
                    measuredSent++;
                }

                var body = prefix + i.ToString(CultureInfo.InvariantCulture) + Program.Worker.BodySuffix;
                outstanding.Add(Task.Run(() => OneAsync(client, options, body, intended, measured)));
                sent++;
            }
        })
        { IsBackground = true, Name = "rate-schedule", Priority = ThreadPriority.Highest };
        scheduler.Start();
        await Task.Run(scheduler.Join);
        await Task.WhenAll(outstanding);

        if (s_firstError is not null)
        {
            Console.Error.WriteLine($"first error: {s_firstError}");
        }

        var streams = !options.NoStream;
        var seconds = options.DurationSeconds;
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(
            string.Create(inv, $"BENCH rate={options.Rate:F0} sent={measuredSent} requests={s_completed} rps={s_completed / seconds:F1} ") +
            string.Create(inv, $"p50_us={Latency.GetValueAtPercentile(50)} p90_us={Latency.GetValueAtPercentile(90)} p99_us={Latency.GetValueAtPercentile(99)} ") +
            string.Create(inv, $"p999_us={Latency.GetValueAtPercentile(99.9)} max_us={Latency.GetMaxValue()} mean_us={Latency.GetMean():F0} ") +
            (streams ? string.Create(inv, $"ttft_p50_us={Ttft.GetValueAtPercentile(50)} ttft_p99_us={Ttft.GetValueAtPercentile(99)} ttft_p999_us={Ttft.GetValueAtPercentile(99.9)} ") : "") +
            string.Create(inv, $"lag_p50_us={Lag.GetValueAtPercentile(50)} lag_p99_us={Lag.GetValueAtPercentile(99)} lag_max_us={Lag.GetMaxValue()} ") +
            string.Create(inv, $"peak_in_flight={s_peakInFlight} connections={s_connections} errors={s_errors} non2xx={s_non2xx} all_sent={sent}"));
        return 0;
    }

    private static async Task OneAsync(HttpClient client, Program.Options options, string body, long intended, bool measured)
    {
        var now = Interlocked.Increment(ref s_inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref s_peakInFlight)) && Interlocked.CompareExchange(ref s_peakInFlight, now, peak) != peak)
        {
        }

        try
        {
            using var request = BenchHttp.ChatRequest(options.Url, body, options);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            var scan = new SseScan();
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                if (!options.NoStream)
                {
                    scan.Feed(buffer.AsSpan(0, read));
                }
            }

            var ended = Stopwatch.GetTimestamp();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Interlocked.Increment(ref s_non2xx);
                s_firstError ??= $"status {(int)response.StatusCode}";
                return;
            }

            if (!options.NoStream && !scan.EndsWithDone)
            {
                throw new InvalidDataException("the stream ended without data: [DONE]");
            }

            if (measured)
            {
                Latency.RecordValue(Math.Max(1, Micros(ended - intended)));
                if (!options.NoStream)
                {
                    Ttft.RecordValue(Math.Max(1, Micros(scan.FirstEvent - intended)));
                }

                Interlocked.Increment(ref s_completed);
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException or OperationCanceledException)
        {
            Interlocked.Increment(ref s_errors);
            s_firstError ??= ex is OperationCanceledException ? $"no complete answer within {options.TimeoutSeconds} s" : ex.Message;
        }
        finally
        {
            Interlocked.Decrement(ref s_inFlight);
        }
    }

    private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    /// <summary>
    /// Sleeps until the Stopwatch timestamp <paramref name="due"/>. On Linux the Stopwatch is CLOCK_MONOTONIC in
    /// nanoseconds, so an absolute clock_nanosleep wakes within the timer slack (about 50 µs) of it; Thread.Sleep
    /// would round every wait up to a whole millisecond, twice the period at 2,000 requests/s.
    /// </summary>
    private static void SleepUntil(long due)
    {
        if (Stopwatch.GetTimestamp() >= due)
        {
            return;
        }

        if (OperatingSystem.IsLinux() && Stopwatch.Frequency == 1_000_000_000)
        {
            var spec = new TimeSpec { Seconds = due / 1_000_000_000, Nanoseconds = due % 1_000_000_000 };
            while (ClockNanosleep(ClockMonotonic, TimerAbsTime, in spec, IntPtr.Zero) == Eintr)
            {
            }

            return;
        }

        while (Stopwatch.GetTimestamp() < due)
        {
            Thread.Sleep(0);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_nanosleep")]
    private static partial int ClockNanosleep(int clock, int flags, in TimeSpec request, IntPtr remain);
}
