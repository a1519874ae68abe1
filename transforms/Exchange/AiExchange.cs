using System.Text.Json;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// One AI call on an understood endpoint: who makes it, what it asks for, and the body that goes upstream. Set on
/// <see cref="HttpContext.Features"/> by <see cref="AiExchangeMiddleware"/>. The body is this object's own: the steps
/// before the cache step may rewrite it through <see cref="RewriteBody"/> (the mode's model, the usage request), and
/// the fingerprint is taken from it after them; nothing rewrites it after that.
/// </summary>
public sealed class AiExchange : ICallExchange, IDisposable
{
    private JsonDocument _document;

    internal AiExchange(HttpContext httpContext, AiCall call, AiEndpoint endpoint, OrgIdentity identity, string? route, ReadOnlyMemory<byte> body, JsonDocument document)
    {
        HttpContext = httpContext;
        Call = call;
        Endpoint = endpoint;
        Identity = identity;
        Route = route;
        Body = body;
        _document = document;
        ReadRequestFields(document.RootElement);
        ModelRequested = Model;
    }

    /// <summary>The HTTP exchange this call belongs to.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The call's stamp: endpoint, request id, arrival.</summary>
    public AiCall Call { get; }

    /// <summary>Which understood endpoint is called.</summary>
    public AiEndpoint Endpoint { get; }

    /// <summary>The org making the call.</summary>
    public OrgIdentity Identity { get; }

    /// <summary>The app feature named by <c>x-aigw-route</c>, or null.</summary>
    public string? Route { get; }

    /// <summary>The JSON body as it goes upstream.</summary>
    public ReadOnlyMemory<byte> Body { get; private set; }

    /// <summary>The parsed <see cref="Body"/>.</summary>
    public JsonElement Json => _document.RootElement;

    /// <summary>The <c>model</c> the body names, or null.</summary>
    public string? Model { get; private set; }

    /// <summary>The <c>model</c> the client asked for, before any rewrite.</summary>
    public string? ModelRequested { get; }

    /// <summary>Whether the body asks for a streamed (SSE) response.</summary>
    public bool IsStream { get; private set; }

    /// <summary>Whether the client itself asked for the stream's usage chunk (read from its own body, before any rewrite).</summary>
    public bool ClientWantsStreamUsage { get; private set; }

    /// <summary>Replaces the body sent upstream; the caller guarantees it is a JSON object. Only steps before the cache step call it.</summary>
    public void RewriteBody(byte[] body)
    {
        var document = JsonDocument.Parse(body);
        _document.Dispose();
        _document = document;
        Body = body;
        Model = null;
        IsStream = false;
        var clientWanted = ClientWantsStreamUsage;
        ReadRequestFields(document.RootElement);
        ClientWantsStreamUsage = clientWanted;
        HttpContext.Request.Headers.Remove("Transfer-Encoding");
        HttpContext.Request.Body = new MemoryStream(body, writable: false);
        HttpContext.Request.ContentLength = body.Length;
    }

    /// <inheritdoc/>
    public void Dispose() => _document.Dispose();

    private void ReadRequestFields(JsonElement root)
    {
        if (root.TryGetProperty("model"u8, out var model) && model.ValueKind == JsonValueKind.String)
        {
            Model = model.GetString();
        }

        IsStream = root.TryGetProperty("stream"u8, out var stream) && stream.ValueKind == JsonValueKind.True;
        ClientWantsStreamUsage = root.TryGetProperty("stream_options"u8, out var options)
            && options.ValueKind == JsonValueKind.Object
            && options.TryGetProperty("include_usage"u8, out var includeUsage)
            && includeUsage.ValueKind == JsonValueKind.True;
    }
}
