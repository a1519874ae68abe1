using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.Redis;

/// <summary>Redis dies under load and comes back: requests never fail, and caching resumes.</summary>
public sealed class RedisFaultTests(ITestOutputHelper log)
{
    private const int Workers = 8;
    private const int DistinctPrompts = 20;

    [Fact]
    public async Task Requests_RedisKilledUnderLoadThenRestarted_NoFailedRequestsAndCachingResumes()
    {
        using var redis = await OwnedRedisServer.StartAsync();
        await using var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions());
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        // Every run uses its own key (and so its own org), so entries of earlier runs never answer this one.
        gateway.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-test-" + Guid.NewGuid().ToString("N"));
        await AssertCachingWorksAsync(gateway, "warm-up");

        var phase = "warm-up";
        var samples = new ConcurrentQueue<(string Phase, double Milliseconds, string Cache)>();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var load = Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            // Bounded in count; the test stops it sooner.
            for (var i = 0; i < 20_000 && !stop.IsCancellationRequested; i++)
            {
                var current = phase;
                var started = Stopwatch.GetTimestamp();
                using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                HttpResponseMessage response;
                string body;
                try
                {
                    response = await gateway.Client.PostAsync("v1/chat/completions", Chat($"prompt {(worker + i) % DistinctPrompts}"), patience.Token);
                    body = await response.Content.ReadAsStringAsync(patience.Token);
                }
                catch (OperationCanceledException)
                {
                    failures.Enqueue($"{current} > {phase}: no answer within 30 s");
                    continue;
                }

                using var answered = response;
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                // A request in flight while the phase changed is counted under both names ("redis up > redis killed").
                var ended = phase;
                samples.Enqueue((ended == current ? current : $"{current} > {ended}", elapsed, response.Headers.TryGetValues("x-aigw-cache", out var cache) ? cache.Single() : "-"));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{current}: {(int)response.StatusCode} {body}");
                }
            }
        })));

        await WaitForSamplesAsync(samples, 1000);
        phase = "redis up";
        await WaitForSamplesAsync(samples, samples.Count + 1000);
        redis.Kill();
        phase = "redis killed";
        await WaitForSamplesAsync(samples, samples.Count + 2000);
        await redis.RestartAsync();
        phase = "redis restarted";
        await WaitForSamplesAsync(samples, samples.Count + 1000);
        await stop.CancelAsync();
        await load;

        foreach (var group in samples.GroupBy(s => s.Phase))
        {
            var sorted = group.Select(s => s.Milliseconds).Order().ToArray();
            log.WriteLine($"{group.Key,-30} {sorted.Length,6} requests  p50 {Percentile(sorted, 0.50),7:0.00} ms  p99 {Percentile(sorted, 0.99),7:0.00} ms  max {sorted[^1],7:0.00} ms  hits {group.Count(s => s.Cache == "hit"),5}");
        }

        Assert.True(failures.IsEmpty, string.Join(Environment.NewLine, failures.Take(20)));
        var restarted = Stopwatch.GetTimestamp();
        await AssertCachingWorksAsync(gateway, "after restart");
        log.WriteLine($"caching resumed {Stopwatch.GetElapsedTime(restarted).TotalSeconds:0.0} s after the restarted phase ended");
    }

    private static async Task AssertCachingWorksAsync(TestGateway gateway, string prompt)
    {
        // The client reconnects in the background and Redis is skipped for a few seconds after a failure: poll, bounded.
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var unique = $"{prompt} {attempt} {Guid.NewGuid()}";
            using var first = await gateway.Client.PostAsync("v1/chat/completions", Chat(unique));
            using var second = await gateway.Client.PostAsync("v1/chat/completions", Chat(unique));
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            if (second.Headers.GetValues("x-aigw-cache").Single() == "hit")
            {
                return;
            }

            await Task.Delay(100);
        }

        Assert.Fail("Caching did not resume with Redis up.");
    }

    private static async Task WaitForSamplesAsync(ConcurrentQueue<(string, double, string)> samples, int count)
    {
        for (var attempt = 0; attempt < 1200 && samples.Count < count; attempt++)
        {
            await Task.Delay(50);
        }

        Assert.True(samples.Count >= count, "The load made no progress.");
    }

    private static double Percentile(double[] sorted, double share) => sorted[Math.Min(sorted.Length - 1, (int)(share * sorted.Length))];

    private static StringContent Chat(string prompt) =>
        new("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}]}", Encoding.UTF8, "application/json");
}
