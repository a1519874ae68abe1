using System.Text.Json;

namespace AiGateway.Transforms.CostLog;

/// <summary>A sealed spill file claimed for replay: read in batches, then deleted once every row is stored.</summary>
internal sealed class SpillFile : IDisposable
{
    private readonly FileStream _stream;

    /// <summary>Wraps a claimed (exclusively opened) file.</summary>
    public SpillFile(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Lines that were not a whole row (a write cut short by a crash); they are skipped.</summary>
    public int UnreadableLines { get; private set; }

    /// <summary>The rows in file order, in batches of at most <paramref name="batchSize"/>.</summary>
    public IEnumerable<List<PerfLogRecord>> ReadBatches(int batchSize)
    {
        using var reader = new StreamReader(_stream, leaveOpen: true);
        var batch = new List<PerfLogRecord>(Math.Min(batchSize, 4096));
        while (reader.ReadLine() is { } line)
        {
            if (line.Length == 0)
            {
                continue;
            }

            PerfLogRecord? record;
            try
            {
                record = JsonSerializer.Deserialize(line, PerfLogJsonContext.Default.PerfLogRecord);
            }
            catch (JsonException)
            {
                record = null;
            }

            if (record is null)
            {
                UnreadableLines++;
                continue;
            }

            batch.Add(record);
            if (batch.Count >= batchSize)
            {
                yield return batch;
                batch = new List<PerfLogRecord>(Math.Min(batchSize, 4096));
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    /// <summary>Deletes the file: all its rows are stored.</summary>
    public void Complete()
    {
        _stream.Dispose();
        File.Delete(Path);
    }

    /// <inheritdoc/>
    public void Dispose() => _stream.Dispose();
}
