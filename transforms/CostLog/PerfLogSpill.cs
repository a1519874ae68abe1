using System.Globalization;

namespace AiGateway.Transforms.CostLog;

/// <summary>
/// Log rows that could not go to the store yet, as JSON lines in <c>{Gateway:DataDir}/spill/perf-*.jsonl</c>, replayed
/// oldest first once the store is back. Rows the store refused go to <c>rejected-*.jsonl</c> and are never replayed.
/// A <see cref="PerfLogJournal"/> file that no process holds open any more (its process died) is adopted as a spill file.
/// </summary>
internal sealed class PerfLogSpill : IDisposable
{
    private const string SpillPattern = "perf-*.jsonl";

    // Bounds how much one replayed file holds, so a long outage is replayed in steps that each free disk space.
    private const long MaxFileBytes = 64L * 1024 * 1024;

    private readonly Lock _gate = new();
    private readonly PerfLogLines _lines = new();
    private FileStream? _current;
    private volatile bool _pending;

    /// <summary>Uses <paramref name="folder"/>, created on the first write; files left there by an earlier run are pending.</summary>
    public PerfLogSpill(string folder)
    {
        Folder = Path.GetFullPath(folder);
        _pending = Directory.Exists(Folder)
            && (Directory.EnumerateFiles(Folder, SpillPattern).Any() || Directory.EnumerateFiles(Folder, PerfLogJournal.Pattern).Any());
    }

    /// <summary>The spill folder.</summary>
    public string Folder { get; }

    /// <summary>Whether rows wait in spill files.</summary>
    public bool HasPending => _pending;

    /// <summary>Appends rows to the current spill file; <paramref name="durable"/> also waits until they are on disk. False when the disk failed.</summary>
    public bool TryAppend(IReadOnlyList<PerfLogRecord> records, bool durable)
    {
        lock (_gate)
        {
            try
            {
                var stream = _current ??= Create("perf");
                _lines.Write(stream, records);
                stream.Flush(durable);
                _pending = true;
                if (stream.Length >= MaxFileBytes)
                {
                    CloseCurrent();
                }

                return true;
            }
            catch (Exception)
            {
                // The request path relies on this never throwing: any failure is reported as "not spilled".
                CloseCurrent();
                return false;
            }
        }
    }

    /// <summary>Keeps rows the store refused in a <c>rejected-*.jsonl</c> file for ops to inspect; false when the disk failed.</summary>
    public bool TryReject(IReadOnlyList<PerfLogRecord> records)
    {
        lock (_gate)
        {
            try
            {
                var path = Path.Combine(Folder, $"rejected-{DateTime.UtcNow.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}.jsonl");
                Directory.CreateDirectory(Folder);
                using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
                _lines.Write(stream, records);
                stream.Flush(flushToDisk: true);
                return true;
            }
            catch (Exception)
            {
                return false;
            }
        }
    }

    /// <summary>Closes the file being appended to and lists every spill file, oldest first; rows spilled after this go to a new file.</summary>
    public IReadOnlyList<string> Seal()
    {
        lock (_gate)
        {
            CloseCurrent();
            _pending = false;
        }

        if (!Directory.Exists(Folder))
        {
            return [];
        }

        AdoptOrphanJournals();
        return Directory.GetFiles(Folder, SpillPattern).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Closes the file being appended to, leaving it for a later replay; rows spilled after this go to a new file.</summary>
    public void Close()
    {
        lock (_gate)
        {
            CloseCurrent();
        }
    }

    /// <summary>Notes that sealed files are still waiting (a replay stopped).</summary>
    public void MarkPending() => _pending = true;

    /// <summary>Opens a sealed file for replay, or null when it is gone or another process holds it (its writer or replayer).</summary>
    public static SpillFile? TryClaim(string path)
    {
        try
        {
            // FileShare.None takes an exclusive lock that fails while any other process has the file open.
            return new SpillFile(path, new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_gate)
        {
            CloseCurrent();
        }
    }

    // A live journal file is held open with a shared lock, so an exclusive open succeeds only on a dead process's file.
    // Its rows that reached the store before the process died are skipped by the store's replay.
    private void AdoptOrphanJournals()
    {
        foreach (var path in Directory.GetFiles(Folder, PerfLogJournal.Pattern))
        {
            using (var claimed = TryClaim(path))
            {
                if (claimed is null)
                {
                    continue;
                }
            }

            try
            {
                var name = Path.GetFileName(path);
                File.Move(path, Path.Combine(Folder, "perf-" + name["journal-".Length..]));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another instance adopted it first, or it went meanwhile.
            }
        }
    }

    private FileStream Create(string prefix)
    {
        Directory.CreateDirectory(Folder);
        var name = PerfLogLines.FileName(prefix);
        return new FileStream(Path.Combine(Folder, name), FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
    }

    private void CloseCurrent()
    {
        try
        {
            _current?.Dispose();
        }
        catch (Exception)
        {
            // The rows it holds were flushed when appended; a failing close loses nothing more.
        }

        _current = null;
    }
}
