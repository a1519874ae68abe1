using System.Diagnostics;
using System.Globalization;
using CostLogBench;

// Cost log benchmark (issue 6); ops/bench/costlog/run.sh builds and runs it. Markdown report on stdout, progress on stderr.
BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

var total = Stopwatch.StartNew();
var report = new List<string>();
void Progress(string message) => Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{total.Elapsed.TotalSeconds,6:0.0} s] {message}"));
string F(double value, string format = "0") => value.ToString(format, CultureInfo.InvariantCulture);

// Interrupted (run.sh's timeout sends SIGINT): drop the database before leaving, since no finally block runs after this.
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    Progress($"interrupted: dropping database {options.Database}");
    try
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        BenchDatabase.DropAsync(options.Postgres, options.Database).GetAwaiter().GetResult();
    }
    catch (Exception ex)
    {
        Console.Error.WriteLine(ex.Message);
    }

    Environment.Exit(130);
};

Progress($"creating database {options.Database}");
await using (var database = await BenchDatabase.CreateAsync(options.Postgres, options.Database))
{
    var server = await database.ScalarAsync<string>("SHOW server_version");
    report.Add($"# Cost log benchmark");
    report.Add("");
    report.Add($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, Postgres {server} (fsync off, as ops/postgres.sh runs it), fresh database, .NET {Environment.Version}; load average at start {LoadAverage()}.");

    // The gateway's own services create the schema (migrations) in either case.
    Progress("starting the cost log services (migrations, prices, writer)");
    await using var bench = await WriterBench.StartAsync(database);
    if (options.Writer)
    {
        var rows = GeneratedRows.Create(options.Rows, DateTimeOffset.UtcNow);
        var results = new Dictionary<string, List<double>> { ["copy"] = [], ["copy-async"] = [], ["store"] = [], ["writer"] = [] };
        Progress("warm-up: one batch through each path");
        var warm = rows[..Math.Min(rows.Length, bench.Log.BatchSize)];
        await bench.PlainCopyAsync(warm);
        await bench.PlainCopyAsync(warm, asyncWrites: true);
        await bench.StoreAsync(warm);
        await bench.WriterAsync(warm);
        string[] order = options.AsyncCopy ? ["copy", "copy-async", "store", "writer"] : ["copy", "store", "writer"];
        for (var round = 0; round < options.Runs; round++)
        {
            // The order rotates from round to round, so drift falls on every path alike.
            foreach (var path in order.Skip(round % order.Length).Concat(order.Take(round % order.Length)))
            {
                var rate = path switch
                {
                    "copy" => await bench.PlainCopyAsync(rows),
                    "copy-async" => await bench.PlainCopyAsync(rows, asyncWrites: true),
                    "store" => await bench.StoreAsync(rows),
                    _ => await bench.WriterAsync(rows),
                };
                results[path].Add(rate);
                Progress($"round {round + 1}: {path,-6} {F(rate)} rows/s");
            }
        }

        double Median(string path) => Stats.Median(results[path]);
        string Runs(string path) => string.Join(", ", results[path].Select(r => F(r / 1000, "0.0") + "k"));
        report.Add("");
        report.Add($"## Writer throughput ({options.Rows:N0} rows per run, {options.Runs} interleaved rounds, median)");
        report.Add("");
        report.Add($"Rows: {options.Rows:N0} generated in memory (200 orgs, 8 routes, 4 models, the last hour); batch {bench.Log.BatchSize:N0}, queue {bench.Log.QueueCapacity:N0}, flush interval {bench.Log.FlushIntervalMs} ms (defaults). Log and rollup truncated before every run.");
        report.Add("");
        report.Add("| path | rows/s (median) | runs | × plain COPY |");
        report.Add("|---|---:|---|---:|");
        report.Add($"| plain binary COPY into ai_performance_logs (Npgsql alone, no rollup) | {F(Median("copy"))} | {Runs("copy")} | 1.00 |");
        if (options.AsyncCopy)
        {
            report.Add($"| same, every value an awaited WriteAsync (as PostgresPerfLogStore writes its COPY) | {F(Median("copy-async"))} | {Runs("copy-async")} | {F(Median("copy-async") / Median("copy"), "0.00")} |");
        }

        report.Add($"| PostgresPerfLogStore batch by batch (COPY into the log + rollup upsert of the batch's sums, one tx) | {F(Median("store"))} | {Runs("store")} | {F(Median("store") / Median("copy"), "0.00")} |");
        report.Add($"| PerfLogWriter.TryWrite → channel → store (end to end, timed until the last row is committed) | {F(Median("writer"))} | {Runs("writer")} | {F(Median("writer") / Median("copy"), "0.00")} |");
        report.Add("");
        report.Add($"Target ≥ 50,000 rows/s for the writer: **{(Median("writer") >= 50_000 ? "met" : "not met")}** ({F(Median("writer"))} rows/s).");
    }

    if (options.Finance)
    {
        var finance = new FinanceBench(database, options);
        Progress($"generating {options.LogRows:N0} log rows over {options.Days} days, then the rollup");
        var shape = await finance.GenerateAsync();
        Progress($"generated in {F(shape.GenerateSeconds, "0.0")} s, rollup {F(shape.RollupSeconds, "0.0")} s, vacuum + analyze {F(shape.VacuumSeconds, "0.0")} s");
        var timings = new List<FinanceBench.QueryTiming>
        {
            await finance.TimeAsync("README: cost and savings per org and route, last month (ai_cost_monthly)", FinanceBench.ReadmeRollupQuery),
            await finance.TimeAsync("the same from ai_cost_daily (30 days of rows summed)", FinanceBench.DailyRollupQuery),
            await finance.TimeAsync("metrics: last 24 h by hour, all orgs, p50/p95 duration and TTFT (ai_performance_logs)", FinanceBench.MetricsDayQuery),
            await finance.TimeAsync("one org, last 7 days by route, p95 duration and cost (ai_performance_logs)", FinanceBench.OrgWeekQuery),
        };
        report.Add("");
        report.Add($"## Finance queries over {shape.LogRows:N0} log rows (median of {options.QueryRuns} warm runs)");
        report.Add("");
        report.Add($"Generated with SQL (generate_series, two connections; primary key and indexes dropped during the load and rebuilt from their definitions) in {F(shape.GenerateSeconds, "0.0")} s over the last {options.Days} days: {options.Orgs} orgs × {options.Routes} routes (+ none) × 4 models. " +
            $"Log {shape.LogSize} with indexes; rollup built in {F(shape.RollupSeconds, "0.0")} s: {shape.RollupRows:N0} rows ({shape.RollupRowsLastMonth:N0} in last month), {shape.RollupSize}; VACUUM ANALYZE of the rollup, ANALYZE of the log {F(shape.VacuumSeconds, "0.0")} s.");
        report.Add("");
        report.Add("| query | median ms | min–max ms | rows |");
        report.Add("|---|---:|---:|---:|");
        foreach (var t in timings)
        {
            report.Add($"| {t.Name} | {F(t.MedianMs, "0.0")} | {F(t.MinMs, "0.0")}–{F(t.MaxMs, "0.0")} | {t.Rows:N0} |");
        }

        report.Add("");
        report.Add($"Target ≤ 100 ms for the rollup query: **{(timings[0].MedianMs <= 100 ? "met" : "not met")}** ({F(timings[0].MedianMs, "0.0")} ms).");
    }

    Progress($"dropping database {options.Database}");
}

report.Add("");
report.Add($"Whole run: {F(total.Elapsed.TotalSeconds, "0")} s; load average at the end {LoadAverage()} (other work on the box shows here: compare the ratios, not the absolute figures).");
Console.WriteLine(string.Join('\n', report));
return 0;

static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";
