using System.Buffers;
using System.Globalization;
using System.Text.Json;

namespace AiGateway.Transforms.CostLog;

/// <summary>Log rows as JSON lines, the form of spill and journal files (<see cref="SpillFile"/> reads them back).</summary>
internal sealed class PerfLogLines
{
    // Rows are written out in pieces of about this size, so a big batch never needs a buffer of its size.
    private const int WriteBytes = 1024 * 1024;

    private readonly ArrayBufferWriter<byte> _buffer = new(16 * 1024);
    private readonly Utf8JsonWriter _json;

    /// <summary>Creates the writer; not thread-safe, each owner keeps its own.</summary>
    public PerfLogLines() => _json = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });

    // One sequence for the process: two writers in it (two gateways in one test host) may make files in the same tick.
    private static long _sequence;

    /// <summary>A new file's name: names sort by creation time; the process id and a sequence keep two writers (or two files in one tick) apart.</summary>
    public static string FileName(string prefix) => string.Create(CultureInfo.InvariantCulture,
        $"{prefix}-{DateTime.UtcNow:yyyyMMdd'T'HHmmssfffffff}-{Environment.ProcessId}-{Interlocked.Increment(ref _sequence):D6}.jsonl");

    /// <summary>Writes <paramref name="record"/> to <paramref name="stream"/> as one line, in one write.</summary>
    public void Write(Stream stream, PerfLogRecord record)
    {
        _buffer.ResetWrittenCount();
        Add(record);
        stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    /// <summary>Writes <paramref name="records"/> to <paramref name="stream"/>, one line each.</summary>
    public void Write(Stream stream, IReadOnlyList<PerfLogRecord> records)
    {
        _buffer.ResetWrittenCount();
        foreach (var record in records)
        {
            Add(record);
            if (_buffer.WrittenCount >= WriteBytes)
            {
                stream.Write(_buffer.WrittenSpan);
                _buffer.ResetWrittenCount();
            }
        }

        stream.Write(_buffer.WrittenSpan);
        _buffer.ResetWrittenCount();
    }

    private void Add(PerfLogRecord record)
    {
        _json.Reset(_buffer);
        JsonSerializer.Serialize(_json, record, PerfLogJsonContext.Default.PerfLogRecord);
        _json.Flush();
        _buffer.Write("\n"u8);
    }
}
