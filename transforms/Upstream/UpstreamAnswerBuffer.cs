using System.Buffers;
using System.Net.Http.Headers;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// Reads a non-streamed answer whole inside the call's time budget, so that an upstream that sends its headers and
/// then stalls still ends in a clean 504 (nothing has reached the client yet). Answers beyond <see cref="Limit"/> are
/// handed on with their head in memory and the rest streamed as it comes.
/// </summary>
internal static class UpstreamAnswerBuffer
{
    /// <summary>Largest answer held in memory.</summary>
    public const int Limit = 64 * 1024 * 1024;

    private const int UnknownLengthStart = 16 * 1024;

    /// <summary>
    /// Replaces the response's content with a <see cref="BufferedAnswerContent"/> read under <paramref name="cancellationToken"/>
    /// (or, past <see cref="Limit"/>, with its head followed by the rest of the stream).
    /// </summary>
    public static async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var original = response.Content;
        var declared = original.Headers.ContentLength;
        if (declared is > Limit)
        {
            return;
        }

        var source = await original.ReadAsStreamAsync(cancellationToken);
        // A declared length (the usual JSON answer) is read straight into the array handed on; an unknown one into
        // pooled memory, copied out once at the end.
        var pooled = declared is null;
        var buffer = declared is { } exact ? new byte[exact] : ArrayPool<byte>.Shared.Rent(UnknownLengthStart);
        var length = 0;
        var ended = false;
        HttpContent copy;
        try
        {
            while (true)
            {
                var room = Math.Min(buffer.Length, Limit) - length;
                if (room == 0)
                {
                    // Content-Length ends the body (RFC 9112 §6.3): nothing after it belongs to this answer.
                    if (!pooled || length == Limit)
                    {
                        ended = !pooled;
                        break;
                    }

                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, Limit));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    continue;
                }

                var read = await source.ReadAsync(buffer.AsMemory(length, room), cancellationToken);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                length += read;
            }

            var head = !pooled && length == buffer.Length ? buffer : buffer.AsSpan(0, length).ToArray();
            copy = ended ? new BufferedAnswerContent(head) : new StreamContent(new PrefixedStream(head, source));
        }
        finally
        {
            if (pooled)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        CopyContentHeaders(original.Headers, copy.Headers, skipContentLength: false);
        response.Content = copy;
        if (ended)
        {
            original.Dispose();
        }
    }

    /// <summary>
    /// Copies content headers as they are, enumerated without parsing or allocating (one value as a string); with
    /// <paramref name="skipContentLength"/> the length is left to the new content, which knows the body it sends.
    /// </summary>
    internal static void CopyContentHeaders(HttpContentHeaders from, HttpContentHeaders to, bool skipContentLength)
    {
        foreach (var header in from.NonValidated)
        {
            if (skipContentLength && string.Equals(header.Key, "Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (header.Value.Count == 1)
            {
                to.TryAddWithoutValidation(header.Key, header.Value.ToString());
            }
            else
            {
                to.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
    }
}
