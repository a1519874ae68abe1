using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// The log in the embedded store: batches go through one <see cref="SqliteLogConnection"/> kept open between them and
/// replaced after any failure; retention runs on a connection of its own.
/// </summary>
internal sealed class SqlitePerfLogStore(EmbeddedDatabase database) : IPerfLogStore, IAsyncDisposable
{
    // Batches come from one writer, every 10 ms or so under load, a few rows each, so a batch's fixed part (opening a
    // connection, registering the money function, preparing both statements, the commit's fsync) was most of its CPU:
    // 190-215 us for a batch of one row, 125-145 without the opening and preparing, 55-90 without the fsync as well. So
    // the writer keeps one connection with both statements prepared, and drops it on any failure.
    private readonly SemaphoreSlim _writing = new(1, 1);
    private SqliteLogConnection? _writer;

    /// <inheritdoc/>
    public async Task WriteAsync(IReadOnlyList<PerfLogRecord> batch, CancellationToken cancellationToken)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await _writing.WaitAsync(cancellationToken);
        try
        {
            _writer ??= await SqliteLogConnection.OpenAsync(database, cancellationToken);
            await _writer.WriteAsync(batch, cancellationToken);
        }
        catch
        {
            // Whatever failed (the file, a refused row, a cancellation), the next batch starts on a fresh connection.
            _writer?.Dispose();
            _writer = null;
            throw;
        }
        finally
        {
            _writing.Release();
        }
    }

    /// <inheritdoc/>
    public async Task<long> MaintainAsync(DateTimeOffset now, int retentionMonths, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var delete = connection.CreateCommand();
        delete.CommandText = "DELETE FROM ai_performance_logs WHERE ts < $cutoff";
        delete.Parameters.AddWithValue("$cutoff", SqliteValues.Time(LogMonths.RetentionCutoff(now, retentionMonths)));
        return await delete.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc/>
    public bool IsRejection(Exception exception) => exception switch
    {
        // SQLITE_CONSTRAINT and SQLITE_MISMATCH: the rows themselves are wrong; busy, full or I/O errors pass.
        SqliteException sqlite => sqlite.SqliteErrorCode is 19 or 20,
        InvalidCastException or ArgumentException or OverflowException or FormatException => true,
        _ => false,
    };

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _writing.WaitAsync();
        _writer?.Dispose();
        _writer = null;
        _writing.Release();
    }
}
