using System.Globalization;

namespace CostLogBench;

/// <summary>What to measure and where; parsed from the command line (see <see cref="Usage"/>).</summary>
internal sealed class BenchOptions
{
    public const string Usage = """
        usage: CostLogBench [options]
          --postgres CS        admin connection string of the Postgres to use (default: $AIGW_TEST_POSTGRES, else the test Postgres
                               Host=127.0.0.1;Port=5440;Username=aigw;Password=aigw;Database=aigateway); a fresh database is
                               created on it and dropped at the end
          --database NAME      name of that database (default aigw_costbench_<random>)
          --rows N             rows per writer run (default 500000; a multiple of the 20000-row batch keeps the last batch full)
          --runs N             rounds of the writer comparison (default 3; the report shows medians)
          --log-rows N         rows generated for the finance queries (default 10000000)
          --orgs N / --routes N  cardinality of the generated finance data (default 100 / 10; models: 4)
          --days N             days the generated log spans, ending now (default 120)
          --query-runs N       timed runs of each finance query after one warm-up (default 5)
          --skip-writer / --skip-finance
          --explain            print EXPLAIN (ANALYZE, BUFFERS) of each finance query to stderr
          --async-copy         also time the plain COPY with every value awaited (WriteAsync), as the gateway's store writes it
        """;

    public string Postgres { get; private set; } = Environment.GetEnvironmentVariable("AIGW_TEST_POSTGRES")
        ?? "Host=127.0.0.1;Port=5440;Username=aigw;Password=aigw;Database=aigateway";

    public string Database { get; private set; } = "aigw_costbench_" + Guid.NewGuid().ToString("N")[..8];

    public int Rows { get; private set; } = 500_000;

    public int Runs { get; private set; } = 3;

    public long LogRows { get; private set; } = 10_000_000;

    public int Orgs { get; private set; } = 100;

    public int Routes { get; private set; } = 10;

    public int Days { get; private set; } = 120;

    public int QueryRuns { get; private set; } = 5;

    public bool Writer { get; private set; } = true;

    public bool Finance { get; private set; } = true;

    public bool Explain { get; private set; }

    public bool AsyncCopy { get; private set; }

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--postgres": options.Postgres = Next(); break;
                case "--database": options.Database = Next(); break;
                case "--rows": options.Rows = Int(); break;
                case "--runs": options.Runs = Int(); break;
                case "--log-rows": options.LogRows = long.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--orgs": options.Orgs = Int(); break;
                case "--routes": options.Routes = Math.Min(Int(), FinanceBench.RouteNames.Length); break;
                case "--days": options.Days = Int(); break;
                case "--query-runs": options.QueryRuns = Int(); break;
                case "--skip-writer": options.Writer = false; break;
                case "--skip-finance": options.Finance = false; break;
                case "--explain": options.Explain = true; break;
                case "--async-copy": options.AsyncCopy = true; break;
                case "--help" or "-h": throw new ArgumentException(Usage);
                default: throw new ArgumentException($"Unknown option {args[i]}.\n{Usage}");
            }
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(options.Database, "^[a-z_][a-z0-9_]*$"))
        {
            throw new ArgumentException("--database must be a plain lower-case identifier.");
        }

        return options;
    }
}
