using System.Net;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// A whole upstream answer held in one array, handed on as is: the pumps take <see cref="Bytes"/> instead of buffering
/// the content again (as <see cref="HttpContent.ReadAsByteArrayAsync()"/> would) and copying it out.
/// </summary>
internal sealed class BufferedAnswerContent(byte[] bytes) : HttpContent
{
    /// <summary>The answer, never written to: the live answer and the cache entry share it.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(bytes).AsTask();

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(bytes, cancellationToken).AsTask();

    /// <inheritdoc/>
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(bytes);

    /// <inheritdoc/>
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(CreateContentReadStream(default));

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new MemoryStream(bytes, writable: false);

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        length = bytes.Length;
        return true;
    }
}
