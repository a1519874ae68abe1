using Microsoft.Extensions.Logging;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Makes a call's log row survive <c>kill -9</c> before its answer ends: rows are appended to <c>journal-*.jsonl</c>
/// files in the spill folder (the page cache, no fsync: the kernel keeps what a killed process wrote) and only then
/// queued for the store. Writes are grouped: a caller that finds no write going on writes every row waiting, on its
/// own thread; rows arriving meanwhile wait for the next group, written off the request path. A file left by a process
/// that died is replayed like a spill file; rows in it that reached the store are skipped there.
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
    private readonly Func<PerfLogRecord, bool> _queue;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly PerfLogLines _lines = new();
    private List<PerfLogRecord> _waiting = new(64);
    private List<PerfLogRecord> _spare = new(64);
    private TaskCompletionSource _waitingWritten = NewGroup();
    private bool _writing;
    private bool _disposed;
    private bool _failing;
    private long _retryAt;
    private JournalSegment? _segment;
    private long _sequence;

    /// <summary>Journals into <paramref name="folder"/>; <paramref name="queue"/> then takes each row to the store.</summary>
    public PerfLogJournal(string folder, Func<PerfLogRecord, bool> queue, ILogger logger)
    {
        _folder = folder;
        _queue = queue;
        _logger = logger;
    }

    /// <summary>Journals and queues <paramref name="record"/>; completes once it is in the journal. Never throws.</summary>
    public Task AppendAsync(PerfLogRecord record)
    {
        Task written;
        lock (_gate)
        {
            if (_disposed)
            {
                // Stopped: the writer spills what reaches it now.
                _queue(record);
                return Task.CompletedTask;
            }

            _waiting.Add(record);
            written = _waitingWritten.Task;
            if (_writing)
            {
                return written;
            }

            _writing = true;
        }

        WriteGroup();
        return written;
    }

    /// <summary>The rows settled (stored, spilled, refused or lost): the segments holding them may go.</summary>
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
            if (_writing)
            {
                // The group being written closes the segment when it is done.
                return;
            }
        }

        CloseSegment();
    }

    // Writes the rows waiting now, then hands later ones to the thread pool so that no caller writes for others for long.
    private void WriteGroup()
    {
        List<PerfLogRecord> group;
        TaskCompletionSource written;
        lock (_gate)
        {
            group = _waiting;
            _waiting = _spare;
            written = _waitingWritten;
            _waitingWritten = NewGroup();
        }

        Append(group);
        foreach (var record in group)
        {
            _queue(record);
        }

        group.Clear();
        written.SetResult();
        bool more;
        bool close;
        lock (_gate)
        {
            _spare = group;
            more = _waiting.Count > 0;
            close = _disposed && !more;
            _writing = more;
        }

        if (more)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static journal => journal.WriteGroup(), this, preferLocal: false);
        }
        else if (close)
        {
            CloseSegment();
        }
    }

    private void Append(List<PerfLogRecord> group)
    {
        if (_failing && Environment.TickCount64 < _retryAt)
        {
            return;
        }

        try
        {
            var segment = _segment ??= Create();
            _lines.Write(segment.Stream, group);
            foreach (var record in group)
            {
                segment.Hold();
                record.JournalSegment = segment;
            }

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
            // The rows still go to the store; only a kill before they reach it would lose them.
            CloseSegment();
            _retryAt = Environment.TickCount64 + RetryAfterFailureMs;
            if (!_failing)
            {
                _failing = true;
                PerfLogWriterLog.JournalFailed(_logger, _folder, ex.Message);
            }
        }
    }

    private JournalSegment Create()
    {
        Directory.CreateDirectory(_folder);
        // Named like spill files so that, adopted after a crash, they replay in order among them.
        var path = Path.Combine(_folder, PerfLogLines.FileName("journal", ++_sequence));
        return new JournalSegment(path, new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0));
    }

    private void CloseSegment()
    {
        var segment = _segment;
        _segment = null;
        segment?.Release();
    }

    private static TaskCompletionSource NewGroup() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
