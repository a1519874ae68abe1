using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace StreamClient;

/// <summary>
/// Opens N concurrent keep-alive connections, each posting streamed chat completions back to back for a fixed time,
/// and prints one line: requests, errors, RPS, and p50/p99 of the time to the first complete SSE event (TTFT) and
/// of the whole stream, in microseconds.
/// </summary>
internal static partial class Program
{
    private static readonly byte[] Done = "data: [DONE]"u8.ToArray();

    public static async Task<int> Main(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine(
                "usage: stream-client --url URL [--connections N] [--duration S] [--warmup S] [--header 'Name: value']... [--pad-bytes N] [--fixed-body]\n" +
                "       stream-client --burst N --url URL [--url URL2 ...] [--no-stream] [--header ...]   N identical requests at once (dedupe)\n" +
                "       stream-client --scale N --ramp S --url URL [--expect-events E] [--header ...]     N concurrent streams, one each, opened over S s\n" +
                "       stream-client --rate R --duration S [--warmup S] [--connections N] [--no-stream] --url URL [--header ...]\n" +
                "                     open loop: R requests/s on a fixed schedule, latency from each request's intended send time");
            return 2;
        }

        var nonceValue = Environment.GetEnvironmentVariable("BENCH_NONCE") ?? DateTime.UtcNow.Ticks.ToString(CultureInfo.InvariantCulture);
        if (options.Burst > 0)
        {
            return await BurstMode.RunAsync(options, BodyPrefix(options, nonceValue, 0) + "0" + Worker.BodySuffix);
        }

        if (options.Rate > 0)
        {
            return await RateMode.RunAsync(options, nonceValue);
        }

        if (options.Scale > 0)
        {
            return await ScaleMode.RunAsync(options, nonceValue);
        }

        using var client = BenchHttp.NewClient(options.Connections, options.TimeoutSeconds);

        var nonce = nonceValue;
        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + Seconds(options.WarmupSeconds);
        var stopAt = measureFrom + Seconds(options.DurationSeconds);
        var workers = new Worker[options.Connections];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(client, options, BodyPrefix(options, nonce, i), measureFrom, stopAt);
        }

        await Task.WhenAll(workers.Select(w => w.RunAsync()));

        var ttft = workers.SelectMany(w => w.Ttft).ToArray();
        var total = workers.SelectMany(w => w.Total).ToArray();
        Array.Sort(ttft);
        Array.Sort(total);
        var errors = workers.Sum(w => w.Errors);
        var firstError = workers.Select(w => w.FirstError).FirstOrDefault(e => e is not null);
        if (firstError is not null)
        {
            Console.Error.WriteLine($"first error: {firstError}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"BENCH requests={total.Length} rps={total.Length / options.DurationSeconds:F1} ttft_p50_us={Percentile(ttft, 50)} ttft_p99_us={Percentile(ttft, 99)} p50_us={Percentile(total, 50)} p99_us={Percentile(total, 99)} errors={errors} non2xx=0"));
        return 0;
    }

    internal static long Seconds(double seconds) => (long)(seconds * Stopwatch.Frequency);

    internal static long Percentile(long[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p / 100 * sorted.Length) - 1)];

    internal static string BodyPrefix(Options options, string nonce, int worker)
    {
        var system = new StringBuilder();
        while (system.Length < options.PadBytes)
        {
            system.Append("You are a careful assistant. ");
        }

        var stream = options.NoStream ? "" : "\"stream\":true,";
        return $"{{\"model\":\"gpt-4o-mini\",{stream}\"temperature\":0.2,\"messages\":[{{\"role\":\"system\",\"content\":\"{system}\"}},{{\"role\":\"user\",\"content\":\"bench {nonce} c{worker} n";
    }

    /// <summary>One connection's loop.</summary>
    internal sealed class Worker(HttpClient client, Options options, string bodyPrefix, long measureFrom, long stopAt)
    {
        internal const string BodySuffix = ": summarise the trade-offs of a reverse proxy in one line.\"}]}";
        private readonly byte[] _buffer = new byte[16 * 1024];
        private long _counter;

        public List<long> Ttft { get; } = new(4096);

        public List<long> Total { get; } = new(4096);

        public int Errors { get; private set; }

        public string? FirstError { get; private set; }

        public async Task RunAsync()
        {
            while (Stopwatch.GetTimestamp() < stopAt)
            {
                var body = options.FixedBody ? bodyPrefix + "0" + BodySuffix : bodyPrefix + (++_counter).ToString(CultureInfo.InvariantCulture) + BodySuffix;
                var began = Stopwatch.GetTimestamp();
                try
                {
                    var (firstEvent, ended) = await StreamOnceAsync(body);
                    if (began >= measureFrom && ended <= stopAt)
                    {
                        Ttft.Add(Micros(firstEvent - began));
                        Total.Add(Micros(ended - began));
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException or OperationCanceledException)
                {
                    // A stream that stalls (no end within --timeout, body included) is an error, not a hung bench.
                    Errors++;
                    FirstError ??= ex is OperationCanceledException ? $"no complete answer within {options.TimeoutSeconds} s (stalled)" : ex.Message;
                }
            }
        }

        private static long Micros(long ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

        private async Task<(long FirstEvent, long Ended)> StreamOnceAsync(string body)
        {
            using var request = BenchHttp.ChatRequest(options.Url, body, options);

            // HttpClient.Timeout stops at the headers; this bounds the body too.
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(options.TimeoutSeconds));
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidDataException($"status {(int)response.StatusCode}");
            }

            await using var stream = await response.Content.ReadAsStreamAsync(deadline.Token);
            long firstEvent = 0;
            var previous = (byte)0;
            // The end of the body: checked for [DONE], and quoted when it is missing.
            var tail = new byte[1024];
            var tailLength = 0;
            int read;
            while ((read = await stream.ReadAsync(_buffer, deadline.Token)) > 0)
            {
                var chunk = _buffer.AsSpan(0, read);
                if (firstEvent == 0)
                {
                    // The first event is complete at its blank line ("\n\n"), which may straddle two reads.
                    if ((previous == '\n' && chunk[0] == '\n') || chunk.IndexOf("\n\n"u8) >= 0)
                    {
                        firstEvent = Stopwatch.GetTimestamp();
                    }

                    previous = chunk[^1];
                }

                SseScan.KeepTail(tail, ref tailLength, chunk);
            }

            var ended = Stopwatch.GetTimestamp();
            if (firstEvent == 0 || tail.AsSpan(0, tailLength).IndexOf(Done) < 0)
            {
                var end = System.Text.Encoding.UTF8.GetString(tail, 0, tailLength).Replace("\n", "\\n", StringComparison.Ordinal);
                throw new InvalidDataException($"the stream ended without data: [DONE]; it ended with \"{end}\"");
            }

            return (firstEvent, ended);
        }
    }

    /// <summary>Command-line options.</summary>
    internal sealed class Options
    {
        public string Url => Urls.Count > 0 ? Urls[0] : "";

        /// <summary>Every --url given; burst mode spreads its requests over them (several gateway instances).</summary>
        public List<string> Urls { get; } = [];

        /// <summary>Burst mode: this many identical requests sent at once, each on its own connection.</summary>
        public int Burst { get; private set; }

        /// <summary>Scale mode: this many streams, one per connection, started evenly over <see cref="RampSeconds"/>.</summary>
        public int Scale { get; private set; }

        public double RampSeconds { get; private set; } = 10;

        /// <summary>Rate mode: requests per second on a fixed schedule (open loop); --connections are opened first.</summary>
        public double Rate { get; private set; }

        /// <summary>Scale mode: data lines every stream must carry ([DONE] included); fewer is a dropped stream.</summary>
        public int ExpectEvents { get; private set; }

        /// <summary>Non-streamed chat bodies (burst and rate modes).</summary>
        public bool NoStream { get; private set; }

        public double TimeoutSeconds { get; private set; } = 60;

        public int Connections { get; private set; } = 1;

        public double DurationSeconds { get; private set; } = 5;

        public double WarmupSeconds { get; private set; }

        public int PadBytes { get; private set; } = 600;

        public bool FixedBody { get; private set; }

        public List<(string Name, string Value)> Headers { get; } = [];

        public static Options? Parse(string[] args)
        {
            var o = new Options();
            for (var i = 0; i < args.Length; i++)
            {
                var value = i + 1 < args.Length ? args[i + 1] : null;
                switch (args[i])
                {
                    case "--url" when value is not null: o.Urls.Add(value); i++; break;
                    case "--burst" when value is not null: o.Burst = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--scale" when value is not null: o.Scale = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--rate" when value is not null: o.Rate = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--ramp" when value is not null: o.RampSeconds = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--expect-events" when value is not null: o.ExpectEvents = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--timeout" when value is not null: o.TimeoutSeconds = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--no-stream": o.NoStream = true; break;
                    case "--connections" when value is not null: o.Connections = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--duration" when value is not null: o.DurationSeconds = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--warmup" when value is not null: o.WarmupSeconds = double.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--pad-bytes" when value is not null: o.PadBytes = int.Parse(value, CultureInfo.InvariantCulture); i++; break;
                    case "--header" when value is not null && value.Contains(':'):
                        var colon = value.IndexOf(':');
                        o.Headers.Add((value[..colon].Trim(), value[(colon + 1)..].Trim()));
                        i++;
                        break;
                    case "--fixed-body": o.FixedBody = true; break;
                    default: return null;
                }
            }

            return o.Url.Length == 0 || o.Connections < 1 ? null : o;
        }
    }
}
