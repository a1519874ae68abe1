using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Transforms.Errors;

/// <summary>
/// Readies a connection for an early refusal (401, 413): a small unread request body is read and dropped so the
/// connection stays usable; a large one gets <c>Connection: close</c>. Without this Kestrel sometimes resets the
/// connection, and the client sees "response ended prematurely" instead of the error.
/// </summary>
public static class RequestDrain
{
    private const long DrainLimit = 1024 * 1024;

    /// <summary>Drains up to 1 MiB of the remaining body, or marks the connection to close.</summary>
    public static async Task BeforeRefusalAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.ContentLength is 0 || (request.ContentLength is null && !request.Headers.ContainsKey(HeaderNames.TransferEncoding)))
        {
            return;
        }

        if (request.ContentLength > DrainLimit)
        {
            context.Response.Headers.Connection = "close";
            return;
        }

        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            long read = 0;
            int count;
            while ((count = await request.Body.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                read += count;
                if (read > DrainLimit)
                {
                    context.Response.Headers.Connection = "close";
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or BadHttpRequestException)
        {
            context.Response.Headers.Connection = "close";
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
