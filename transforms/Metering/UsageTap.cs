using AiGateway.Transforms.Endpoints;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Metering;

/// <summary>
/// The response body of a metered call, written through to the client as the upstream's answer arrives, with its JSON
/// (or its SSE events' JSON) scanned on the way for the usage the answer reports (<see cref="UsageScanner"/>). Nothing is
/// held but that usage object: an image answer is never buffered, and an audio answer (or any answer that is neither
/// JSON nor SSE, or is compressed) is not even scanned. A request feature, read by <see cref="UsageMeter"/> at the end.
/// </summary>
internal sealed class UsageTap(Stream inner, HttpResponse response) : Stream
{
    private UsageScanner? _scanner;
    private bool _decided;

    /// <summary>The usage the answer reported; false when it reported none (or none in tokens, such as Whisper's seconds).</summary>
    public bool TryReadUsage(out TokenUsage usage)
    {
        usage = default;
        return _scanner is { Found: true } scanner && scanner.TryRead(out usage);
    }

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        Observe(buffer);
    }

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // The client first; the buffer stays the writer's until this returns, so it is scanned after.
        await inner.WriteAsync(buffer, cancellationToken);
        Observe(buffer.Span);
    }

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    private void Observe(ReadOnlySpan<byte> written)
    {
        if (!_decided)
        {
            // The upstream's headers are the response's by its first body byte.
            _decided = true;
            if (IsScanned(response))
            {
                _scanner = new UsageScanner();
            }
        }

        _scanner?.Scan(written);
    }

    private static bool IsScanned(HttpResponse response)
    {
        if (response.Headers.ContentEncoding.Count > 0)
        {
            return false;
        }

        var type = response.ContentType;
        return type is not null
            && (type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
                || type.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase));
    }
}
