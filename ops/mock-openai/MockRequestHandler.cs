using System.Diagnostics;
using Microsoft.AspNetCore.Http.Extensions;

namespace MockOpenAi;

/// <summary>The whole pipeline: count, read/record the body, apply latency and forced errors, dispatch.</summary>
internal sealed class MockRequestHandler(MockState state)
{
    private enum Route { NotFound, ChatCompletions, Completions, Responses, Embeddings, ListModels, GetModel }

    private const string ModelsPrefix = "/v1/models/";

    public async Task HandleAsync(HttpContext http)
    {
        var start = Stopwatch.GetTimestamp();
        var request = http.Request;
        var path = request.Path.Value ?? "";
        if (path == "/healthz")
            return;

        state.CountRequest();
        try
        {
            await HandleCoreAsync(http, request, path, start);
        }
        catch (Exception ex) when (http.RequestAborted.IsCancellationRequested
                                   && ex is OperationCanceledException or IOException)
        {
            // The client went away (or a drop was requested): nothing left to answer.
        }
    }

    private async Task HandleCoreAsync(HttpContext http, HttpRequest request, string path, long start)
    {
        var options = state.Options;
        var route = Resolve(request.Method, path);
        var needsBody = options.RecordRequests
                        || route is Route.ChatCompletions or Route.Completions or Route.Responses or Route.Embeddings;
        byte[] body;
        if (needsBody)
        {
            body = await ReadBodyAsync(request, http.RequestAborted);
        }
        else
        {
            await request.Body.CopyToAsync(Stream.Null, http.RequestAborted);
            body = [];
        }

        if (options.RecordRequests)
            state.Record(Snapshot(request, body));

        var settings = RequestSettings.Resolve(options, request.Headers);
        var call = new MockCall(http, settings, body, start);
        if (settings.LatencyMs > 0)
            await Task.Delay(settings.LatencyMs, http.RequestAborted);

        if (settings.ErrorStatus is >= 400 and <= 599 and var status)
        {
            await MockHttp.WriteErrorAsync(call, status, "mock error", "server_error");
            return;
        }

        await (route switch
        {
            Route.ChatCompletions => ChatCompletionsEndpoint.HandleAsync(call),
            Route.Completions => CompletionsEndpoint.HandleAsync(call),
            Route.Responses => ResponsesEndpoint.HandleAsync(call),
            Route.Embeddings => EmbeddingsEndpoint.HandleAsync(call),
            Route.ListModels => ModelsEndpoint.ListAsync(call),
            Route.GetModel => ModelsEndpoint.GetAsync(call, Uri.UnescapeDataString(path[ModelsPrefix.Length..])),
            _ => MockHttp.WriteErrorAsync(call, StatusCodes.Status404NotFound,
                $"Invalid URL ({request.Method} {path})", "invalid_request_error"),
        });
    }

    private static Route Resolve(string method, string path)
    {
        if (HttpMethods.IsPost(method))
        {
            return path switch
            {
                "/v1/chat/completions" => Route.ChatCompletions,
                "/v1/completions" => Route.Completions,
                "/v1/responses" => Route.Responses,
                "/v1/embeddings" => Route.Embeddings,
                _ => Route.NotFound,
            };
        }

        if (HttpMethods.IsGet(method))
        {
            if (path == "/v1/models")
                return Route.ListModels;
            if (path.Length > ModelsPrefix.Length && path.StartsWith(ModelsPrefix, StringComparison.Ordinal))
                return Route.GetModel;
        }

        return Route.NotFound;
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } length and <= int.MaxValue)
        {
            var buffer = new byte[length];
            await request.Body.ReadExactlyAsync(buffer, cancellationToken);
            return buffer;
        }

        using var stream = new MemoryStream();
        await request.Body.CopyToAsync(stream, cancellationToken);
        return stream.ToArray();
    }

    private static RecordedRequest Snapshot(HttpRequest request, byte[] body)
    {
        var headers = new Dictionary<string, string>(request.Headers.Count, StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in request.Headers)
            headers[name] = value.ToString();
        return new RecordedRequest(request.Method, request.GetEncodedPathAndQuery(), headers, body);
    }
}
