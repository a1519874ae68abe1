using System.Buffers;
using System.Text;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.Storage;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// The insert of log rows into the embedded store as one statement prepared once per connection, its parameters bound by
/// position. Microsoft.Data.Sqlite would look every parameter up by name on every execution (a UTF-8 copy of each name)
/// and box every number; this writes each value as UTF-8 into one scratch buffer (SQLite copies it on bind) instead.
/// </summary>
internal sealed class SqliteLogRowInsert : IDisposable
{
    // Rows whose id is already stored are skipped, so that a batch retried after a failed commit is not counted twice.
    private const string Sql = """
        INSERT INTO ai_performance_logs (id, ts, org_id, route, endpoint, model_requested, model_used, mode, stream, status_code,
            cache_status, dedupe_role, attempts, prompt_tokens, cached_tokens, completion_tokens, usage_estimated, cost_usd, saved_usd,
            duration_ms, ttft_ms, upstream_ms, request_hash, error, customer_id, key_id, client_attempt, client_fallback,
            usage_unreported)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29)
        ON CONFLICT (id) DO NOTHING
        """;

    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private byte[] _scratch = ArrayPool<byte>.Shared.Rent(1024);

    /// <summary>Prepares the insert on <paramref name="connection"/>, which must be open.</summary>
    public SqliteLogRowInsert(SqliteConnection connection)
    {
        _db = connection.Handle ?? throw new InvalidOperationException("The connection is not open.");
        Check(raw.sqlite3_prepare_v2(_db, Sql, out _statement));
    }

    /// <summary>Inserts <paramref name="r"/>; false when a row with its id is stored already.</summary>
    public bool Insert(PerfLogRecord r)
    {
        Span<byte> formatted = stackalloc byte[64];
        try
        {
            BindFormatted(1, r.Id.TryFormat(formatted, out var length), formatted[..length]);
            BindFormatted(2, SqliteValues.TryFormatTime(r.Ts, formatted, out length), formatted[..length]);
            BindText(3, r.OrgId ?? "");
            BindText(4, r.Route);
            BindText(5, r.Endpoint ?? "");
            BindText(6, r.ModelRequested);
            BindText(7, r.ModelUsed);
            BindText(8, r.Mode);
            BindInt(9, r.Stream ? 1 : 0);
            BindInt(10, r.StatusCode);
            BindText(11, r.CacheStatus ?? "");
            BindText(12, r.DedupeRole);
            BindInt(13, r.Attempts);
            BindInt(14, r.PromptTokens);
            BindInt(15, r.CachedTokens);
            BindInt(16, r.CompletionTokens);
            BindInt(17, r.UsageEstimated ? 1 : 0);
            BindMoney(18, r.CostUsd, formatted);
            BindMoney(19, r.SavedUsd, formatted);
            BindInt(20, r.DurationMs);
            BindOptionalInt(21, r.TtftMs);
            BindOptionalInt(22, r.UpstreamMs);
            BindText(23, r.RequestHash ?? "");
            if (r.Error is null)
            {
                Check(raw.sqlite3_bind_null(_statement, 24));
            }
            else
            {
                BindText(24, r.Error.AsSpan(0, Math.Min(r.Error.Length, PostgresPerfLogStore.MaxErrorLength)));
            }

            BindText(25, r.CustomerId);
            BindText(26, r.KeyId);
            BindOptionalInt(27, r.ClientAttempt);
            BindInt(28, r.ClientFallback ? 1 : 0);
            BindInt(29, r.UsageUnreported ? 1 : 0);

            var rc = raw.sqlite3_step(_statement);
            if (rc != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _db);
            }

            return raw.sqlite3_changes(_db) > 0;
        }
        finally
        {
            raw.sqlite3_reset(_statement);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _statement.Dispose();
        ArrayPool<byte>.Shared.Return(_scratch);
        _scratch = [];
    }

    private void BindText(int index, string? value)
    {
        if (value is null)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }

        BindText(index, value.AsSpan());
    }

    private void BindText(int index, ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            // An empty span binds a null pointer, which SQLite stores as NULL; this is a zero-length text.
            Check(raw.sqlite3_bind_text(_statement, index, utf8z.FromSpan("\0"u8)));
            return;
        }

        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        if (max > _scratch.Length)
        {
            ArrayPool<byte>.Shared.Return(_scratch);
            _scratch = ArrayPool<byte>.Shared.Rent(max);
        }

        var length = Encoding.UTF8.GetBytes(value, _scratch);
        Check(raw.sqlite3_bind_text(_statement, index, _scratch.AsSpan(0, length)));
    }

    private void BindFormatted(int index, bool formatted, ReadOnlySpan<byte> utf8) =>
        Check(formatted ? raw.sqlite3_bind_text(_statement, index, utf8) : raw.SQLITE_TOOBIG);

    private void BindMoney(int index, decimal? value, Span<byte> buffer)
    {
        if (value is not { } amount)
        {
            Check(raw.sqlite3_bind_null(_statement, index));
            return;
        }

        BindFormatted(index, SqliteValues.TryFormatMoney(amount, buffer, out var length), buffer[..length]);
    }

    private void BindInt(int index, long value) => Check(raw.sqlite3_bind_int64(_statement, index, value));

    private void BindOptionalInt(int index, int? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}
