using System.Text;

namespace AiGateway.Tests.Infrastructure;

/// <summary>Reads complete SSE events (text up to and including the blank line) from a response stream.</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next event's lines joined with '\n', or null at the end of the stream.</summary>
    public async Task<string?> ReadEventAsync(CancellationToken cancellationToken = default)
    {
        var lines = new StringBuilder();
        while (await _reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (lines.Length > 0)
                {
                    return lines.ToString();
                }

                continue;
            }

            if (lines.Length > 0)
            {
                lines.Append('\n');
            }

            lines.Append(line);
        }

        return lines.Length > 0 ? lines.ToString() : null;
    }

    /// <summary>All remaining events.</summary>
    public async Task<List<string>> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        var events = new List<string>();
        while (await ReadEventAsync(cancellationToken) is { } sseEvent)
        {
            events.Add(sseEvent);
        }

        return events;
    }
}
