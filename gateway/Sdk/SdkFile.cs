using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace AiGateway.Sdk;

/// <summary>A file of the JavaScript stream client embedded in the gateway (its source is <c>gateway/Sdk/</c>), read once.</summary>
internal sealed class SdkFile
{
    private SdkFile(string contentType, byte[] content)
    {
        ContentType = contentType;
        Content = content;
        // A strong validator from the bytes: a page revalidates the module on every load and gets a 304 until the
        // gateway is upgraded, so an upgrade reaches every page at once without a versioned URL.
        ETag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + "\"");
    }

    /// <summary>The response content type.</summary>
    public string ContentType { get; }

    /// <summary>The file's bytes.</summary>
    public byte[] Content { get; }

    /// <summary>The entity tag of <see cref="Content"/>.</summary>
    public EntityTagHeaderValue ETag { get; }

    /// <summary>Loads the embedded file <paramref name="name"/> (resource <c>AiGateway.Sdk.{name}</c>).</summary>
    public static SdkFile Load(string name, string contentType)
    {
        using var stream = typeof(SdkFile).Assembly.GetManifestResourceStream("AiGateway.Sdk." + name)
            ?? throw new InvalidOperationException($"The SDK file {name} is not embedded in the gateway.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return new SdkFile(contentType, buffer.ToArray());
    }

    /// <summary>The file as the response; a request whose <c>If-None-Match</c> names <see cref="ETag"/> gets 304.</summary>
    public IResult ToResult(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        return Results.Bytes(Content, ContentType, entityTag: ETag);
    }
}
