using System.Collections.Concurrent;
using System.Text.Json;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using WireMock.Server;
using WireMock.Settings;
using WireMock.Types;
using WireMock.Util;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// A WireMock upstream that answers every request 200 with a valid body for its endpoint (a chat completion, a
/// completion, embeddings, a response, as JSON or as an event stream when the body asks to stream; a list elsewhere),
/// so any 5xx the client sees is the gateway's own. It keeps every request it receives, as it arrived, for the checks.
/// </summary>
internal sealed class FuzzUpstream : IDisposable
{
    private const string Usage = "\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}";
    private readonly WireMockServer _server;
    private readonly ConcurrentQueue<ReceivedRequest> _received = new();
    private int _ownFailures;

    public FuzzUpstream()
    {
        // A middleware in front of WireMock records each request as it arrived (before WireMock parses, decodes or fails
        // on it) and counts every 5xx WireMock answers: it fails some requests itself before any mapping runs (a query
        // of "?=" throws in its query parser), and such an answer, relayed, is not the gateway's.
        _server = WireMockServer.Start(new WireMockServerSettings
        {
            PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(async (context, next) =>
            {
                await RecordAsync(context);
                try
                {
                    await next(context);
                }
                catch
                {
                    // WireMock's outer exception middleware turns this into its 500.
                    Interlocked.Increment(ref _ownFailures);
                    throw;
                }

                if (context.Response.StatusCode >= 500)
                {
                    Interlocked.Increment(ref _ownFailures);
                }
            }),
        });
        _server.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithCallback(Answer));
    }

    /// <summary>The upstream's base address.</summary>
    public Uri Url => new(_server.Url!);

    /// <summary>Takes every request received since the last call.</summary>
    public List<ReceivedRequest> Drain()
    {
        var taken = new List<ReceivedRequest>();
        while (_received.TryDequeue(out var one))
        {
            taken.Add(one);
        }

        return taken;
    }

    /// <summary>How many answers since the last call were 5xx (the mappings never make one: WireMock itself failed).</summary>
    public int DrainOwnFailures()
    {
        _server.ResetLogEntries();
        return Interlocked.Exchange(ref _ownFailures, 0);
    }

    /// <inheritdoc/>
    public void Dispose() => _server.Stop();

    private ResponseMessage Answer(IRequestMessage request)
    {
        var stream = AsksToStream(request.BodyAsBytes);
        return request.Path switch
        {
            "/v1/chat/completions" when stream => Sse(
                "data: {\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":null}]}\n\n"
                + "data: {\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"id\":\"chatcmpl-f\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[]," + Usage + "}\n\n"
                + "data: [DONE]\n\n"),
            "/v1/chat/completions" => Json(
                "{\"id\":\"chatcmpl-f\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]," + Usage + "}"),
            "/v1/completions" when stream => Sse(
                "data: {\"id\":\"cmpl-f\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[{\"index\":0,\"text\":\"ok\",\"finish_reason\":\"stop\"}]}\n\n"
                + "data: {\"id\":\"cmpl-f\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[]," + Usage + "}\n\n"
                + "data: [DONE]\n\n"),
            "/v1/completions" => Json(
                "{\"id\":\"cmpl-f\",\"object\":\"text_completion\",\"created\":1,\"model\":\"gpt-3.5-turbo-instruct\",\"choices\":[{\"index\":0,\"text\":\"ok\",\"finish_reason\":\"stop\"}]," + Usage + "}"),
            "/v1/embeddings" => Json(
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}"),
            "/v1/responses" when stream => Sse(
                "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_f" + Guid.NewGuid().ToString("N") + "\",\"object\":\"response\",\"status\":\"in_progress\"}}\n\n"
                + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"ok\"}\n\n"
                + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_f\",\"object\":\"response\",\"status\":\"completed\",\"usage\":{\"input_tokens\":3,\"output_tokens\":2,\"total_tokens\":5}}}\n\n"),
            "/v1/responses" => Json(
                "{\"id\":\"resp_f" + Guid.NewGuid().ToString("N") + "\",\"object\":\"response\",\"status\":\"completed\",\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"ok\"}]}],\"usage\":{\"input_tokens\":3,\"output_tokens\":2,\"total_tokens\":5}}"),
            _ => Json("{\"object\":\"list\",\"data\":[]}"),
        };
    }

    private async Task RecordAsync(HttpContext context)
    {
        context.Request.EnableBuffering();
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body);
        context.Request.Body.Position = 0;
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v ?? ""))).ToList();
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget ?? context.Request.Path.Value ?? "";
        _received.Enqueue(new ReceivedRequest(context.Request.Method, target, headers, body.ToArray()));
    }

    private static bool AsksToStream(byte[]? body)
    {
        try
        {
            using var json = JsonDocument.Parse(body ?? []);
            return json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static ResponseMessage Json(string body) => Answer("application/json", body);

    private static ResponseMessage Sse(string body) => Answer("text/event-stream", body);

    private static ResponseMessage Answer(string contentType, string body) => new()
    {
        StatusCode = 200,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new(contentType) },
        BodyData = new BodyData { BodyAsString = body, DetectedBodyType = BodyType.String },
    };
}
