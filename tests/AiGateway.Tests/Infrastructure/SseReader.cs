using System.Text;

namespace AiGateway.Tests.Infrastructure;

/// <summary>Reads complete SSE events (text up to and including the blank line) from a response stream.</summary>
public sealed class SseReader(Stream stream)
{
    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The <c>id:</c> line values seen so far, one per event that had one.</summary>
    public List<string> Ids { get; } = [];

    /// <summary>The comment lines seen so far.</summary>
    public List<string> Comments { get; } = [];

    /// <summary>The next event's lines (without the gateway's <c>id:</c> line, kept in <see cref="Ids"/>) joined with '\n', or null at the end.</summary>
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

            if (line.StartsWith(':'))
            {
                // SSE comments (the gateway's cost line) are not events; keep them for the tests that look.
                Comments.Add(line);
                continue;
            }

            if (line.StartsWith("id: ", StringComparison.Ordinal))
            {
                Ids.Add(line[4..]);
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
