using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Makes a call's log row survive <c>kill -9</c> before its answer ends: <see cref="PerfLogWriter.TryWrite"/> appends the
/// row to a <c>journal-*.jsonl</c> file in the spill folder before queueing it — one write into the page cache, no fsync
/// (the kernel keeps what a killed process wrote). Each row is written by its own request's thread under a short lock:
/// grouping rows would make every request but one wait for a thread-pool hop, which cost more than the write. A file left
/// by a process that died is replayed like a spill file; rows in it that reached the store are skipped there.
/// </summary>
internal sealed class PerfLogJournal : IDisposable
{
    /// <summary>The journal files' name pattern.</summary>
    public const string Pattern = "journal-*.jsonl";

    // Rotating keeps what a crash leaves to replay small; older segments go as soon as their rows settle.
    private const long MaxSegmentBytes = 4L * 1024 * 1024;

    // After a failed write (full disk, read-only folder) rows skip the journal this long rather than pay a throw each.
    private const long RetryAfterFailureMs = 5_000;

    private readonly string _folder;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly PerfLogLines _lines = new();
    private bool _disposed;
    private bool _failing;
    private long _retryAt;
    private JournalSegment? _segment;

    /// <summary>Journals into <paramref name="folder"/>.</summary>
    public PerfLogJournal(string folder, ILogger logger)
    {
        _folder = folder;
        _logger = logger;
    }

    /// <summary>Appends <paramref name="record"/> to the journal, which holds it until it settles. Never throws.</summary>
    public void Append(PerfLogRecord record)
    {
        lock (_gate)
        {
            if (_disposed || (_failing && Environment.TickCount64 < _retryAt))
            {
                // Stopped (the writer spills what reaches it now), or the disk failed moments ago.
                return;
            }

            try
            {
                var segment = _segment ??= Create();
                _lines.Write(segment.Stream, record);
                segment.Hold();
                record.JournalSegment = segment;
                if (segment.Stream.Position >= MaxSegmentBytes)
                {
                    CloseSegment();
                }

                if (_failing)
                {
                    _failing = false;
                    PerfLogWriterLog.JournalWritable(_logger, _folder);
                }
            }
            catch (Exception ex)
            {
                // The row still goes to the store; only a kill before it gets there would lose it.
                CloseSegment();
                _retryAt = Environment.TickCount64 + RetryAfterFailureMs;
                if (!_failing)
                {
                    _failing = true;
                    PerfLogWriterLog.JournalFailed(_logger, _folder, ex.Message);
                }
            }
        }
    }

    /// <summary>The row settled (stored, spilled, refused or lost): its segment may go.</summary>
    public static void Settle(PerfLogRecord record)
    {
        var segment = record.JournalSegment;
        record.JournalSegment = null;
        segment?.Release();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            CloseSegment();
        }
    }

    private JournalSegment Create()
    {
        Directory.CreateDirectory(_folder);
        // Named like spill files so that, adopted after a crash, they replay in order among them.
        var path = Path.Combine(_folder, PerfLogLines.FileName("journal"));
        return new JournalSegment(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0));
    }

    private void CloseSegment()
    {
        var segment = _segment;
        _segment = null;
        segment?.Release();
    }
}
