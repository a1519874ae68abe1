using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Endpoints;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.CostLog;

/// <summary>The upstream answers, requests and arithmetic the <see cref="CostLogRowTests"/> share.</summary>
internal static class CostLogRowTraffic
{
    // gpt-4o-mini in config/Prices/model-prices.json, per 1M tokens.
    internal const decimal MiniInput = 0.15m, MiniCachedInput = 0.075m, MiniOutput = 0.60m;

    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    internal static string ChatBody(string model, bool stream, string? text = null, bool includeUsage = false)
    {
        var content = JsonSerializer.Serialize(text ?? "Log this call " + Guid.NewGuid() + " with a few more words");
        var streamOptions = includeUsage ? ",\"stream_options\":{\"include_usage\":true}" : "";
        return $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")}{streamOptions},\"messages\":[{{\"role\":\"user\",\"content\":{content}}}]}}";
    }

    internal static Task<HttpResponseMessage> SendAsync(
        TestGateway gateway,
        string body,
        string key = "sk-cost-rows",
        string? route = null,
        string path = "v1/chat/completions",
        bool noStore = false,
        int? mockStatus = null,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (route is not null)
        {
            request.Headers.Add("x-aigw-route", route);
        }

        if (noStore)
        {
            request.Headers.CacheControl = new CacheControlHeaderValue { NoStore = true };
        }

        if (mockStatus is { } status)
        {
            request.Headers.Add("x-mock-status", status.ToString(CultureInfo.InvariantCulture));
        }

        return gateway.Client.SendAsync(request, completion);
    }

    internal static string StreamChunk(string choice, string usage) =>
        "data: {\"id\":\"chatcmpl-dedupe\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[" + choice + "],\"usage\":" + usage + "}\n\n";

    internal static async Task WriteCompletionAsync(HttpResponse response, long promptTokens, long cachedTokens, long completionTokens)
    {
        response.ContentType = "application/json";
        await response.WriteAsync(
            "{\"id\":\"chatcmpl-" + Guid.NewGuid().ToString("N") + "\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\"," +
            "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}]," +
            $"\"usage\":{{\"prompt_tokens\":{promptTokens},\"completion_tokens\":{completionTokens},\"total_tokens\":{promptTokens + completionTokens}," +
            $"\"prompt_tokens_details\":{{\"cached_tokens\":{cachedTokens}}}}}}}");
    }

    internal static async Task WriteStreamAsync(HttpResponse response, long promptTokens, long completionTokens)
    {
        response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        await ScriptedUpstream.WriteEventAsync(response,
            $"data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":\"ok\"}},\"finish_reason\":null}}],\"usage\":null}}\n\n");
        await ScriptedUpstream.WriteEventAsync(response,
            $"data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{{}},\"finish_reason\":\"stop\"}}],\"usage\":null}}\n\n");
        await ScriptedUpstream.WriteEventAsync(response,
            $"data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini\",\"choices\":[],\"usage\":{{\"prompt_tokens\":{promptTokens},\"completion_tokens\":{completionTokens},\"total_tokens\":{promptTokens + completionTokens}}}}}\n\n");
        await ScriptedUpstream.WriteEventAsync(response, "data: [DONE]\n\n");
    }

    internal static async Task<List<string>> ReadEventsAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await new SseReader(await response.Content.ReadAsStreamAsync()).ReadAllAsync().WaitAsync(Patience);
    }

    internal static async Task<TokenUsage> ReadBodyUsageAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return ReadUsage(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("usage"));
    }

    internal static TokenUsage ReadUsage(JsonElement usage) => new(
        usage.GetProperty("prompt_tokens").GetInt64(),
        usage.TryGetProperty("prompt_tokens_details", out var details) && details.TryGetProperty("cached_tokens", out var cached) ? cached.GetInt64() : 0,
        usage.GetProperty("completion_tokens").GetInt64());

    // Written out here rather than taken from PriceBook, so that a wrong formula there fails these tests.
    internal static decimal Cost(ModelPrice price, TokenUsage usage) => decimal.Round(
        ((usage.PromptTokens - usage.CachedTokens) * price.InputPer1M + usage.CachedTokens * price.CachedInputPer1M + usage.CompletionTokens * price.OutputPer1M) / 1_000_000m,
        10,
        MidpointRounding.AwayFromZero);

    internal static decimal MiniCost(TokenUsage usage) => Cost(new ModelPrice("gpt-4o-mini", MiniInput, MiniCachedInput, MiniOutput, default), usage);

    internal static DateTimeOffset WholeMilliseconds(DateTimeOffset value) => DateTimeOffset.FromUnixTimeMilliseconds(value.ToUnixTimeMilliseconds());

    internal static string Header(HttpResponseMessage response, string name) => response.Headers.GetValues(name).Single();

    internal static Guid RequestId(HttpResponseMessage response) => Guid.Parse(Header(response, "x-aigw-request-id"));
}
