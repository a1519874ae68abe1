using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Text.RegularExpressions;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;
using OpenAI;
using OpenAI.Chat;
using Xunit;

namespace AiGateway.Tests.Quota;

/// <summary>The official SDKs see a gateway rate limit (CONTRACT §10.4) as they see OpenAI's own, and honour its <c>Retry-After</c>.</summary>
public sealed class RateLimitSdkTests : IAsyncLifetime
{
    private MockOpenAiServer _upstream = null!;
    private TestGateway _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await MockOpenAiServer.StartAsync();
        _gateway = await TestGateway.StartAsync(_upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Routes:sdk-limited:RpmLimit"] = "6" });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
    }

    [Fact]
    public async Task DotNetSdk_RateLimited_ClientResultException429ThenRetryAfterHonoured()
    {
        var key = "sk-dotnet-rate-" + Guid.NewGuid().ToString("N")[..8];
        await DrainAsync(key);
        var refusing = Client(key, retries: 0, out _);

        var refused = await Assert.ThrowsAsync<ClientResultException>(() => refusing.CompleteChatAsync([new UserChatMessage("refused " + Guid.NewGuid())]));

        Assert.Equal(429, refused.Status);
        var retryAfter = int.Parse(refused.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var value) ? value! : "0", CultureInfo.InvariantCulture);
        Assert.True(retryAfter >= 1, $"Retry-After {retryAfter}");

        await DrainAsync(key);
        var retrying = Client(key, retries: 5, out var attempts);
        ChatCompletion completion = await retrying.CompleteChatAsync([new UserChatMessage("passes " + Guid.NewGuid())]);

        Assert.False(string.IsNullOrEmpty(completion.Content[0].Text));
        Assert.True(attempts.Count >= 2, $"{attempts.Count} attempt(s)");
        // A lower bound: the SDK waited for the bucket's next request (up to the Retry-After it was given) before it passed.
        Assert.True(attempts[^1] - attempts[^2] >= TimeSpan.FromSeconds(1), $"retried after {attempts[^1] - attempts[^2]}");
    }

    [Fact]
    public async Task NodeSdk_RateLimited_RateLimitErrorThenRetryAfterHonoured()
    {
        var (exitCode, output) = await NodeTestRun.RunAsync("rate-limit.test.js", _gateway);

        Assert.True(exitCode == 0, $"node --test rate-limit.test.js exited with {exitCode}:\n{output}");
        Assert.Matches(new Regex(@"^\S+ pass [1-9]", RegexOptions.Multiline), output);
    }

    // The route's 6 a minute is a burst of 6, then a request every 10 s: spend it until the gateway refuses, so the next
    // call (sooner than 10 s later) finds the bucket empty.
    private async Task DrainAsync(string key)
    {
        for (var i = 0; i < 100; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
            {
                Content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"drain {{Guid.NewGuid()}}"}]}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new("Bearer", key);
            request.Headers.Add("x-aigw-route", "sdk-limited");
            using var response = await _gateway.Client.SendAsync(request);
            if ((int)response.StatusCode == 429)
            {
                return;
            }
        }
    }

    private ChatClient Client(string key, int retries, out List<DateTimeOffset> attempts)
    {
        var sent = attempts = [];
        var options = new OpenAIClientOptions
        {
            Endpoint = new Uri(_gateway.BaseAddress, "v1"),
            RetryPolicy = new ClientRetryPolicy(retries),
            Transport = new HttpClientPipelineTransport(new HttpClient(new RouteHeader(sent))),
        };
        return new ChatClient("gpt-4o-mini", new ApiKeyCredential(key), options);
    }

    // Names the limited route on every attempt and notes when each went out.
    private sealed class RouteHeader(List<DateTimeOffset> attempts) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (attempts)
            {
                attempts.Add(DateTimeOffset.UtcNow);
            }

            request.Headers.Add("x-aigw-route", "sdk-limited");
            return base.SendAsync(request, cancellationToken);
        }
    }
}
