using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;

namespace AiGateway.Tests.Metrics;

/// <summary>A varied, reproducible set of performance-log rows over four UTC days: orgs, routes, rewritten and unpriced models, hits, followers, streams, drops, resumes, fallbacks and stops.</summary>
internal static class MetricsRows
{
    /// <summary>The first UTC midnight of the rows: three days ago, inside retention and the partitions the store makes.</summary>
    public static DateTimeOffset Start { get; } = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddDays(-3);

    /// <summary><paramref name="count"/> rows drawn from <paramref name="seed"/>, at whole milliseconds within four days of <see cref="Start"/>.</summary>
    public static List<PerfLogRecord> Generate(int count, int seed = 7)
    {
        var random = new Random(seed);
        string[] orgs = ["org-a", "org-b", "org-c"];
        string?[] routes = ["dominus.analyze", "search.rank", "chat.reply", null];
        (string Requested, string? Used)[] models = [("gpt-4o-mini", "gpt-4o-mini"), ("gpt-4o", "gpt-4o"), ("my-cheap", "gpt-4o-mini"), ("o3-mini", null)];
        var rows = new List<PerfLogRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var (requested, used) = models[random.Next(models.Length)];
            var stream = random.Next(2) == 0;
            var kind = random.Next(20);
            var hit = kind < 5;
            var follower = kind is 5 or 6;
            var resume = stream && kind == 7;
            var duration = random.Next(3, 6000);
            var row = new PerfLogRecord
            {
                Ts = Start.AddMilliseconds(random.NextInt64(0, 4L * 86_400_000)),
                OrgId = orgs[random.Next(orgs.Length)],
                Route = routes[random.Next(routes.Length)],
                Endpoint = "/v1/chat/completions",
                ModelRequested = requested,
                ModelUsed = used,
                Stream = stream,
                StatusCode = kind == 19 ? 429 : 200,
                CacheStatus = hit ? "hit" : kind == 8 ? "bypass" : kind == 9 ? "refresh" : "miss",
                DedupeRole = follower ? "follower" : resume ? "resumer" : !hit && kind % 2 == 0 ? "leader" : null,
                Attempts = hit || follower || resume ? 0 : 1 + random.Next(3),
                DurationMs = duration,
                TtftMs = stream && random.Next(8) != 0 ? random.Next(1, duration) : null,
                UpstreamMs = hit || follower || resume ? null : random.Next(1, duration),
                RequestHash = $"{i:x64}",
                Error = kind == 19 ? "http_429" : kind switch { 10 => stream ? "failed" : null, 11 => stream ? "client_gone" : null, 12 => "released", 13 => "cancelled", _ => null },
                ClientAttempt = resume ? 1 + random.Next(3) : null,
                ClientFallback = !stream && kind == 14,
            };
            if (hit || follower)
            {
                row.CostUsd = 0m;
                row.SavedUsd = used is null ? null : Money(random);
            }
            else if (!resume && row.StatusCode == 200)
            {
                row.PromptTokens = random.Next(1, 5000);
                row.CachedTokens = random.Next(0, (int)row.PromptTokens);
                row.CompletionTokens = random.Next(1, 3000);
                row.CostUsd = used is null ? null : Money(random);
            }

            rows.Add(row);
        }

        return rows;
    }

    // Ten decimal places, as numeric(20,10) keeps them, so Postgres and the embedded store hold the same amounts.
    private static decimal Money(Random random) => Math.Round((decimal)random.NextDouble() * 0.25m, 10);
}
