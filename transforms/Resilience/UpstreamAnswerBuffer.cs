using System.Buffers;

namespace AiGateway.Transforms.Resilience;

/// <summary>
/// Reads a non-streamed answer whole inside the call's time budget, so that an upstream that sends its headers and
/// then stalls still ends in a clean 504 (nothing has reached the client yet). Answers beyond <see cref="Limit"/> are
/// handed on with their head in memory and the rest streamed as it comes.
/// </summary>
internal static class UpstreamAnswerBuffer
{
    /// <summary>Largest answer held in memory.</summary>
    public const int Limit = 64 * 1024 * 1024;

    /// <summary>Replaces the response's content with a buffered copy read under <paramref name="cancellationToken"/>.</summary>
    public static async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var original = response.Content;
        if (original.Headers.ContentLength is > Limit)
        {
            return;
        }

        var source = await original.ReadAsStreamAsync(cancellationToken);
        var buffer = new MemoryStream(original.Headers.ContentLength is { } declared ? (int)declared : 16 * 1024);
        var chunk = ArrayPool<byte>.Shared.Rent(64 * 1024);
        var ended = false;
        try
        {
            while (buffer.Length < Limit)
            {
                var read = await source.ReadAsync(chunk, cancellationToken);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                buffer.Write(chunk, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        HttpContent copy = ended
            ? new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length)
            : new StreamContent(new PrefixedStream(buffer.ToArray(), source));
        foreach (var header in original.Headers)
        {
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = copy;
        if (ended)
        {
            original.Dispose();
        }
    }
}
