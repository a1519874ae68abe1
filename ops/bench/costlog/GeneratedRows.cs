using AiGateway.Transforms.CostLog;

namespace CostLogBench;

/// <summary>Log rows shaped like real traffic of the last hour: a few hundred orgs, a handful of routes and models.</summary>
internal static class GeneratedRows
{
    private static readonly string[] Orgs = Enumerable.Range(0, 200).Select(i => $"org-{i:D3}").ToArray();
    private static readonly string[] Routes = ["chat", "search", "summarize", "classify", "extract", "translate", "agent", "support"];
    private static readonly (string Model, decimal Input, decimal Cached, decimal Output)[] Models =
    [
        ("gpt-4o-mini", 0.15m, 0.075m, 0.60m),
        ("gpt-4.1-nano", 0.10m, 0.025m, 0.40m),
        ("gpt-5-mini", 0.25m, 0.025m, 2.00m),
        ("gpt-4.1", 2.00m, 0.50m, 8.00m),
    ];

    public static PerfLogRecord[] Create(int count, DateTimeOffset now, int seed = 42)
    {
        var random = new Random(seed);
        var hashes = Enumerable.Range(0, 4096).Select(_ => Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())).ToArray();
        var rows = new PerfLogRecord[count];
        for (var i = 0; i < count; i++)
        {
            var ts = now.AddMilliseconds(-random.Next(3_600_000));
            var model = Models[random.Next(Models.Length)];
            var hit = random.Next(5) == 0;
            var stream = random.Next(3) == 0;
            long prompt = 100 + random.Next(3900);
            long cached = random.Next(4) == 0 ? prompt / 2 : 0;
            long completion = 10 + random.Next(800);
            var cost = decimal.Round(((prompt - cached) * model.Input + cached * model.Cached + completion * model.Output) / 1_000_000m, 10);
            var duration = 50 + random.Next(3000);
            rows[i] = new PerfLogRecord
            {
                Id = Guid.CreateVersion7(ts),
                Ts = ts,
                OrgId = Orgs[random.Next(Orgs.Length)],
                Route = random.Next(20) == 0 ? null : Routes[random.Next(Routes.Length)],
                Endpoint = "/v1/chat/completions",
                ModelRequested = model.Model,
                ModelUsed = model.Model,
                Stream = stream,
                StatusCode = 200,
                CacheStatus = hit ? "hit" : "miss",
                DedupeRole = hit ? null : random.Next(30) == 0 ? "follower" : "leader",
                Attempts = hit ? 0 : 1,
                PromptTokens = hit ? 0 : prompt,
                CachedTokens = hit ? 0 : cached,
                CompletionTokens = hit ? 0 : completion,
                CostUsd = hit ? 0m : cost,
                SavedUsd = hit ? cost : null,
                DurationMs = duration,
                TtftMs = stream ? 20 + random.Next(500) : null,
                UpstreamMs = hit ? null : duration - 5,
                RequestHash = hashes[random.Next(hashes.Length)],
            };
        }

        return rows;
    }
}
