using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Exchange;

/// <summary>Reads a request body whole, up to a limit, into one exactly sized array.</summary>
internal static class RequestBodyReader
{
    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    public static async ValueTask<byte[]?> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        // A ValueTask: a small body usually arrives with the headers and is read synchronously, without a Task.
        if (request.ContentLength is { } declared)
        {
            if (declared > limit)
            {
                return null;
            }

            var body = new byte[declared];
            await request.Body.ReadExactlyAsync(body, cancellationToken);
            return body;
        }

        // Chunked upload: grow a pooled buffer, then copy out once.
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        var length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await request.Body.ReadAsync(buffer.AsMemory(length), cancellationToken);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
