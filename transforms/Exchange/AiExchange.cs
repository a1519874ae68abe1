using System.Text.Json;
using AiGateway.Transforms.Caching;
using AiGateway.Transforms.CostLog;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Orgs;
using AiGateway.Transforms.Prices;
using AiGateway.Transforms.Relay;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Exchange;

/// <summary>
/// One AI call on an understood endpoint: who makes it, what it asks for, and the body that goes upstream.
/// Set on <see cref="HttpContext.Features"/> by <see cref="AiExchangeMiddleware"/> for the later steps.
/// </summary>
public sealed class AiExchange : IDisposable
{
    private JsonDocument _document;

    internal AiExchange(HttpContext httpContext, AiEndpoint endpoint, OrgIdentity identity, string? route, ReadOnlyMemory<byte> body, JsonDocument document)
    {
        HttpContext = httpContext;
        Endpoint = endpoint;
        Identity = identity;
        Route = route;
        Body = body;
        _document = document;
        ReadRequestFields(document.RootElement);
        ModelRequested = Model;
        StartedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    /// <summary>The HTTP exchange this call belongs to.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>The prices, for code that runs off the request's thread (the pumps) and so must not use <see cref="HttpContext"/>.</summary>
    internal Prices.PriceCatalog? Prices { get; set; }

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

    /// <summary>The <c>model</c> the client asked for, before any mode rewrite.</summary>
    public string? ModelRequested { get; }

    /// <summary>When the gateway received the call (a <see cref="System.Diagnostics.Stopwatch"/> timestamp).</summary>
    public long StartedAt { get; }

    /// <summary>When this client got its first event or body byte, or 0.</summary>
    public long FirstByteAt { get; set; }

    /// <summary>How long the upstream call took, for the leader of an answer.</summary>
    public TimeSpan? UpstreamDuration { get; set; }

    /// <summary><c>leader</c> or <c>follower</c> when dedupe applied, else null.</summary>
    public string? DedupeRole { get; set; }

    /// <summary>The usage of the cached answer that served this call, for what the hit saved.</summary>
    public Endpoints.TokenUsage? HitUsage { get; set; }

    /// <summary>The row this call adds to the performance log; written when the call ends.</summary>
    public CostLog.PerfLogRecord? Log { get; set; }

    /// <summary>Whether the body asks for a streamed (SSE) response.</summary>
    public bool IsStream { get; private set; }

    /// <summary>Whether the client itself asked for the stream's usage chunk.</summary>
    public bool ClientWantsStreamUsage { get; private set; }

    /// <summary>The org's settings, or null when the org has none (gateway defaults apply).</summary>
    public OrgAiSettings? OrgSettings { get; set; }

    /// <summary>What the cache does for this call; set by the cache step.</summary>
    public CacheDecision? Cache { get; set; }

    /// <summary>The answer being recorded for the cache, or null when it will not be stored.</summary>
    internal ResponseCapture? Capture { get; set; }

    /// <summary>The live log of this call's answer, which the pumps fill and every client of the answer reads.</summary>
    public LiveResponse? Live { get; set; }

    /// <summary>Upstream attempts made for this call (retries included); 0 when it never reached the upstream.</summary>
    public int Attempts { get; internal set; }

    /// <summary>Replaces the body sent upstream; the caller guarantees it is a JSON object.</summary>
    public void ReplaceBody(byte[] body)
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
