using System.Diagnostics;
using System.Security.Cryptography;

namespace StreamClient;

/// <summary>
/// Reads an SSE body chunk by chunk, however the reads split it: the time of the first complete event (its blank
/// line), the number of <c>data:</c> lines (events; <c>id:</c> lines and <c>:</c> comments are not counted), whether
/// the last one was <c>data: [DONE]</c>, and optionally a SHA-256 over the data lines only (so two answers relayed
/// with different <c>id:</c> lines but the same events compare equal).
/// </summary>
internal sealed class SseScan(bool hashDataLines = false)
{
    private static readonly byte[] Data = "data:"u8.ToArray();
    private static readonly byte[] Done = "data: [DONE]"u8.ToArray();

    private readonly byte[] _tail = new byte[Done.Length + 4];
    private readonly IncrementalHash? _hash = hashDataLines ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
    private int _tailLength;
    private int _state; // 0 at a line start, 1..4 "data:" matched so far, 5 inside a data line, -1 inside another line
    private byte _previous;

    public long FirstEvent { get; private set; }

    public int DataEvents { get; private set; }

    public bool EndsWithDone => _tail.AsSpan(0, _tailLength).IndexOf(Done) >= 0;

    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (chunk.IsEmpty)
        {
            return;
        }

        if (FirstEvent == 0 && ((_previous == '\n' && chunk[0] == '\n') || chunk.IndexOf("\n\n"u8) >= 0))
        {
            FirstEvent = Stopwatch.GetTimestamp();
        }

        _previous = chunk[^1];
        var lineFrom = _state == 5 ? 0 : -1;
        for (var i = 0; i < chunk.Length; i++)
        {
            var b = chunk[i];
            if (b == '\n')
            {
                if (_state == 5 && _hash is not null)
                {
                    _hash.AppendData(chunk[lineFrom..(i + 1)]);
                }

                _state = 0;
                continue;
            }

            if (_state is >= 0 and < 5)
            {
                if (b == Data[_state])
                {
                    _state++;
                    if (_state == 5)
                    {
                        DataEvents++;
                        lineFrom = i + 1;
                    }
                }
                else
                {
                    _state = -1;
                }
            }
        }

        if (_state == 5 && _hash is not null && lineFrom >= 0)
        {
            _hash.AppendData(chunk[lineFrom..]);
        }

        KeepTail(chunk);
    }

    /// <summary>The hash of the data lines (hex), once the body has been read.</summary>
    public string DataHash() => _hash is null ? "" : Convert.ToHexString(_hash.GetHashAndReset());

    private void KeepTail(ReadOnlySpan<byte> chunk) => KeepTail(_tail, ref _tailLength, chunk);

    /// <summary>Keeps the last bytes of a body in <paramref name="tail"/> (<paramref name="length"/> of them so far).</summary>
    public static void KeepTail(byte[] tail, ref int length, ReadOnlySpan<byte> chunk)
    {
        if (chunk.Length >= tail.Length)
        {
            chunk[^tail.Length..].CopyTo(tail);
            length = tail.Length;
            return;
        }

        var keep = Math.Min(length, tail.Length - chunk.Length);
        tail.AsSpan(length - keep, keep).CopyTo(tail);
        chunk.CopyTo(tail.AsSpan(keep));
        length = keep + chunk.Length;
    }
}
