using System.Net;
using System.Text.Json;

namespace AiGateway.Transforms.Upstream;

/// <summary>Recognises OpenAI's 429 <c>insufficient_quota</c>: the account is out of credit, so a retry cannot succeed.</summary>
internal static class QuotaError
{
    private const int MaxErrorBodyBytes = 64 * 1024;

    /// <summary>Whether the response is a 429 whose error code (or type) is <c>insufficient_quota</c>; the body stays readable for the client.</summary>
    public static async ValueTask<bool> IsInsufficientQuotaAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode != HttpStatusCode.TooManyRequests || response.Content.Headers.ContentLength is > MaxErrorBodyBytes)
        {
            return false;
        }

        try
        {
            // Buffered, so the body can be read here and again by whoever relays it.
            await response.Content.LoadIntoBufferAsync(MaxErrorBodyBytes, cancellationToken);
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(cancellationToken));
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error"u8, out var error)
                && error.ValueKind == JsonValueKind.Object
                && (IsQuota(error, "code"u8) || IsQuota(error, "type"u8));
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or IOException)
        {
            return false;
        }
    }

    private static bool IsQuota(JsonElement error, ReadOnlySpan<byte> property) =>
        error.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String && value.ValueEquals("insufficient_quota"u8);
}
