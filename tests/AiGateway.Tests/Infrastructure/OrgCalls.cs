using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Identity;
using AiGateway.Transforms.Orgs;
using Microsoft.Extensions.DependencyInjection;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Infrastructure;

/// <summary>One passthrough org of a test (its own key, so runs never share state in Redis) and the calls it makes.</summary>
internal sealed class OrgCalls
{
    private int _calls;

    /// <summary>A fresh org.</summary>
    public OrgCalls()
    {
        Key = "sk-orgs-" + Guid.NewGuid().ToString("N");
        OrgId = "pt_" + ApiKeyHasher.Hash(Key)[..16];
    }

    /// <summary>The org's passthrough key.</summary>
    public string Key { get; }

    /// <summary>The org id the gateway derives from <see cref="Key"/>.</summary>
    public string OrgId { get; }

    /// <summary>A chat body naming <paramref name="model"/>, different on every call (so never a cache hit) but of one length (so of one token usage).</summary>
    public string NextChat(string model = "gpt-4o-mini", bool stream = false) =>
        $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"probe {Interlocked.Increment(ref _calls):D4}\"}}]}}";

    /// <summary>Posts <paramref name="body"/> to chat completions with the org's key and the given headers.</summary>
    public Task<HttpResponseMessage> PostAsync(TestGateway gateway, string body, params (string Name, string Value)[] headers) =>
        PostAsync(gateway, "v1/chat/completions", body, headers);

    /// <summary>Posts <paramref name="body"/> to <paramref name="path"/> with the org's key and the given headers.</summary>
    public Task<HttpResponseMessage> PostAsync(TestGateway gateway, string path, string body, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return gateway.Client.SendAsync(request);
    }

    /// <summary>Puts the org's settings through the admin API (applied at once on <paramref name="gateway"/>); returns the settings answered.</summary>
    public async Task<JsonElement> PutSettingsAsync(TestGateway gateway, string json)
    {
        using var response = await gateway.Client.PutAsync($"api/orgs/{OrgId}/settings", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Waits until <paramref name="gateway"/> holds the org's settings in memory (another instance's change, read on refresh).</summary>
    public Task WaitForSettingsAsync(TestGateway gateway, Func<OrgAiSettings, bool> condition) =>
        Eventually.UntilAsync(
            () => gateway.Services.GetRequiredService<OrgSettingsSnapshot>().Find(OrgId) is { } settings && condition(settings),
            $"the settings of {OrgId} to reach the gateway");

    /// <summary>Waits until <paramref name="gateway"/> counts <paramref name="tokens"/> spent this month (counts are added as calls end).</summary>
    public Task WaitForSpentTokensAsync(TestGateway gateway, long tokens) =>
        Eventually.UntilAsync(async () => (await BudgetAsync(gateway)).GetProperty("tokens_used").GetInt64() == tokens, $"{tokens} tokens counted for {OrgId}");

    /// <summary>The org's <c>GET /api/orgs/{org}/budget</c> answer.</summary>
    public async Task<JsonElement> BudgetAsync(TestGateway gateway) =>
        JsonDocument.Parse(await gateway.Client.GetStringAsync($"api/orgs/{OrgId}/budget")).RootElement.Clone();

    /// <summary>The prompt plus completion tokens of a non-streamed answer.</summary>
    public static async Task<long> TokensAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var usage = json.RootElement.GetProperty("usage");
        return usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64();
    }

    /// <summary>The cost the gateway put on a non-streamed answer.</summary>
    public static decimal Cost(HttpResponseMessage response) =>
        decimal.Parse(response.Headers.GetValues("x-aigw-cost-usd").Single(), CultureInfo.InvariantCulture);

    /// <summary>The <c>model</c> of the last request the upstream received.</summary>
    public static string? UpstreamModel(MockOpenAiServer upstream)
    {
        using var json = JsonDocument.Parse(upstream.Requests[^1].Body);
        return json.RootElement.TryGetProperty("model", out var model) ? model.GetString() : null;
    }

    /// <summary>A response header's single value, or null.</summary>
    public static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.Single() : null;
}
