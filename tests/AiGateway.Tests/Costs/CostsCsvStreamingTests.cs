using System.Text;
using AiGateway.Tests.Metrics;
using AiGateway.Transforms.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit;

namespace AiGateway.Tests.Costs;

/// <summary>
/// The costs export is streamed: with a million rollup rows (tens of MB of CSV, more than every socket buffer between the
/// database and the client holds), a client that has read only the first records finds the gateway's query still open
/// in the database, so the rows it has not read yet were never gathered in the gateway's memory. A gateway that read the
/// rows into a list before writing would have closed its query before the first byte went out.
/// </summary>
public sealed class CostsCsvStreamingTests
{
    private const int Rows = 1_000_000;

    [Fact]
    public async Task Get_MillionRowsPostgres_QueryStillOpenWhileTheClientReadsTheFirstRecords()
    {
        await using var setup = await MetricsGateway.StartAsync("postgres", []);
        await using (var connection = new NpgsqlConnection(setup.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand($"""
                INSERT INTO ai_cost_daily (day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
                SELECT date '2025-01-01' + g / 2000, 'org-' || g % 2000, 'bulk', 'gpt-4o-mini', 3, 1, 1200, 300, 0.0123456789, 0.0012345678
                FROM generate_series(0, {Rows - 1}) g
                """, connection) { CommandTimeout = 600 };
            await insert.ExecuteNonQueryAsync();
        }

        using var response = await CostsCsvEndpointTests.GetAsync(setup.Gateway, "", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var head = await ReadRecordsAsync(body, 2);

        // The gateway is blocked writing to this client, so its query is still running: the unread rows are in the database.
        await using (var connection = new NpgsqlConnection(setup.ConnectionString))
        {
            await connection.OpenAsync();
            await using var running = new NpgsqlCommand("""
                SELECT count(*) FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE '%FROM ai_cost_daily%'
                """, connection);
            Assert.Equal(1L, (long)(await running.ExecuteScalarAsync())!);
        }

        Assert.Equal(Rows + 1, head.Records + await CountRecordsAsync(body, head.Tail));
    }

    [Fact]
    public async Task Get_MillionRowsEmbedded_ReadSnapshotStillOpenWhileTheClientReadsTheFirstRecords()
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", []);
        await using (var connection = await setup.Gateway.Services.GetRequiredService<EmbeddedDatabase>().OpenAsync())
        {
            await using var insert = connection.CreateCommand();
            insert.CommandText = $"""
                WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < {Rows - 1})
                INSERT INTO ai_cost_daily (day, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
                SELECT date('2025-01-01', '+' || (n / 2000) || ' days'), 'org-' || (n % 2000), 'bulk', 'gpt-4o-mini', 3, 1, 1200, 300, '0.0123456789', '0.0012345678'
                FROM g
                """;
            insert.CommandTimeout = 600;
            await insert.ExecuteNonQueryAsync();
        }

        using var response = await CostsCsvEndpointTests.GetAsync(setup.Gateway, "", HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var head = await ReadRecordsAsync(body, 2);

        // In WAL mode a checkpoint cannot copy into the database file the pages written after an open reader's snapshot:
        // a write now, then a checkpoint that leaves frames behind, shows the gateway's read is still open.
        await using (var connection = await setup.Gateway.Services.GetRequiredService<EmbeddedDatabase>().OpenAsync())
        {
            await using var write = connection.CreateCommand();
            write.CommandText = "INSERT INTO org_ai_settings (org_id) VALUES ('streaming-probe')";
            await write.ExecuteNonQueryAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
            await using var result = await checkpoint.ExecuteReaderAsync();
            Assert.True(await result.ReadAsync());
            var (log, copied) = (result.GetInt64(1), result.GetInt64(2));
            Assert.True(copied < log, $"every WAL frame was checkpointed ({copied} of {log}): no read is open");
        }

        Assert.Equal(Rows + 1, head.Records + await CountRecordsAsync(body, head.Tail));
    }

    // Reads until `records` whole records have arrived; returns them counted and the bytes read past them.
    private static async Task<(int Records, byte[] Tail)> ReadRecordsAsync(Stream body, int records)
    {
        var buffer = new byte[4096];
        var seen = new List<byte>();
        var count = 0;
        while (count < records)
        {
            var read = await body.ReadAsync(buffer);
            Assert.True(read > 0, "the response ended early");
            seen.AddRange(buffer.AsSpan(0, read));
            count = Encoding.ASCII.GetString(seen.ToArray()).Split("\r\n").Length - 1;
        }

        var text = Encoding.ASCII.GetString(seen.ToArray());
        var end = text.LastIndexOf("\r\n", StringComparison.Ordinal) + 2;
        return (count, seen.Skip(end).ToArray());
    }

    private static async Task<int> CountRecordsAsync(Stream body, byte[] rest)
    {
        var records = 0;
        var previous = rest.Length > 0 ? rest[^1] : (byte)0;
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] == '\n' && previous == '\r')
                {
                    records++;
                }

                previous = buffer[i];
            }
        }

        return records;
    }
}
