using System.Buffers;

namespace AiGateway.Transforms.Endpoints;

/// <summary>
/// Finds the top-level <c>usage</c> object of a JSON answer — or of the JSON in each event of an SSE answer — as the
/// answer passes in pieces, holding nothing but that object: an image answer is megabytes of base64 in one string, and
/// its usage comes after it. The last usage seen is the answer's (a stream reports it in its final event).
/// </summary>
/// <remarks>
/// A byte-level state machine, not a parser: strings are skipped with a vectorised search for their end, and outside
/// the objects (depth 0) only <c>{</c> counts, so an SSE answer's <c>event:</c> and <c>data:</c> text is passed over.
/// </remarks>
internal sealed class UsageScanner
{
    // A usage object is a few hundred bytes; anything larger is no usage worth reading.
    private const int MaxUsageBytes = 4096;

    private static readonly SearchValues<byte> StringEnds = SearchValues.Create("\"\\"u8);

    private int _depth;
    private bool _inString;
    private bool _escaped;

    // At depth 1: a member name is expected next; the string now read is a member name; how far it matches "usage".
    private bool _expectName;
    private bool _inName;
    private int _nameMatched;

    // The last member name at depth 1 was "usage" and its value has not begun.
    private bool _usageNamed;

    private byte[]? _capture;
    private int _captured;
    private bool _capturing;

    private byte[]? _last;

    /// <summary>Whether some piece held a usage object.</summary>
    public bool Found => _last is not null;

    /// <summary>Reads the next piece of the answer.</summary>
    public void Scan(ReadOnlySpan<byte> piece)
    {
        var captureFrom = 0;
        var i = 0;
        while (i < piece.Length)
        {
            if (_inString)
            {
                if (_escaped)
                {
                    _escaped = false;
                    _nameMatched = -1;
                    i++;
                    continue;
                }

                if (_inName)
                {
                    // Names are short: byte by byte, matching "usage" as they go.
                    var b = piece[i++];
                    if (b == '"')
                    {
                        _inString = false;
                        _inName = false;
                        _usageNamed = _nameMatched == 5;
                    }
                    else if (b == '\\')
                    {
                        _escaped = true;
                    }
                    else
                    {
                        _nameMatched = _nameMatched >= 0 && _nameMatched < 5 && "usage"u8[_nameMatched] == b ? _nameMatched + 1 : -1;
                    }

                    continue;
                }

                var end = piece[i..].IndexOfAny(StringEnds);
                if (end < 0)
                {
                    i = piece.Length;
                    break;
                }

                i += end;
                if (piece[i] == '\\')
                {
                    _escaped = true;
                }
                else
                {
                    _inString = false;
                }

                i++;
                continue;
            }

            var c = piece[i];
            switch (c)
            {
                case (byte)'"':
                    if (_depth > 0)
                    {
                        _inString = true;
                        if (_depth == 1 && _expectName)
                        {
                            _inName = true;
                            _nameMatched = 0;
                            _expectName = false;
                        }
                        else
                        {
                            _usageNamed = false;
                        }
                    }

                    break;
                case (byte)'{':
                case (byte)'[':
                    if (_depth == 0 && c == '[')
                    {
                        break;
                    }

                    if (_depth == 1 && _usageNamed && c == '{')
                    {
                        _capturing = true;
                        _captured = 0;
                        captureFrom = i;
                    }

                    _usageNamed = false;
                    _depth++;
                    if (_depth == 1)
                    {
                        _expectName = true;
                    }

                    break;
                case (byte)'}':
                case (byte)']':
                    if (_depth == 0)
                    {
                        break;
                    }

                    _depth--;
                    if (_capturing && _depth == 1)
                    {
                        Capture(piece[captureFrom..(i + 1)]);
                        if (_capturing)
                        {
                            _last = _capture.AsSpan(0, _captured).ToArray();
                            _capturing = false;
                        }
                    }

                    break;
                case (byte)',':
                    if (_depth == 1)
                    {
                        _expectName = true;
                        _usageNamed = false;
                    }

                    break;
                case (byte)':':
                case (byte)' ':
                case (byte)'\t':
                case (byte)'\r':
                case (byte)'\n':
                    break;
                default:
                    // A literal or a number: a "usage" that is null, say.
                    _usageNamed = false;
                    break;
            }

            i++;
        }

        if (_capturing)
        {
            Capture(piece[captureFrom..]);
        }
    }

    /// <summary>The usage found last, in its tokens; false when none was found or it holds no token counts.</summary>
    public bool TryRead(out TokenUsage usage)
    {
        usage = default;
        if (_last is null)
        {
            return false;
        }

        // Read as the body it was part of: {"usage": …}.
        var body = new byte[_last.Length + 10];
        "{\"usage\":"u8.CopyTo(body);
        _last.CopyTo(body, 9);
        body[^1] = (byte)'}';
        return UsageReader.TryReadBody(body, out usage);
    }

    private void Capture(ReadOnlySpan<byte> bytes)
    {
        if (_captured + bytes.Length > MaxUsageBytes)
        {
            _capturing = false;
            return;
        }

        _capture ??= new byte[MaxUsageBytes];
        bytes.CopyTo(_capture.AsSpan(_captured));
        _captured += bytes.Length;
    }
}
