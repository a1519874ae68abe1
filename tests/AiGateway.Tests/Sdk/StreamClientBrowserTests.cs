using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Sdk;

/// <summary>
/// The stream client in a real browser (Debian's Chromium through Playwright): a page on its own origin, listed in
/// <c>Gateway:Cors:Origins</c>, imports <c>/sdk/aigw-stream.js</c> from the gateway and streams through a TCP relay that
/// cuts the stream mid-way. The page reads the <c>x-aigw-*</c> headers across origins, and the upstream counts its calls.
/// </summary>
public sealed class StreamClientBrowserTests(ChromiumBrowser chromium) : IClassFixture<ChromiumBrowser>
{
    // Runs openAIStream in the page and gives back what the app saw: the tokens (all of them, and those since the last
    // reset), the stream's text, the callbacks' counts, the final message, and the requests it made. window.aigwTokens
    // counts the tokens as they come, for the relay to wait on before it cuts.
    private const string RunStream = """
        async ({ moduleUrl, baseURL, body, retry }) => {
          const { openAIStream } = await import(moduleUrl);
          const seen = { all: '', tokens: [], starts: 0, ends: 0, resets: [], errors: [], requests: [] };
          window.aigwTokens = 0;
          const recordingFetch = (url, init) => {
            const h = init.headers;
            seen.requests.push({ path: new URL(url).pathname, lastEventId: h['last-event-id'] ?? null, attempt: h['x-aigw-resume-attempt'] ?? null,
              fallback: h['x-aigw-fallback'] ?? null, stream: init.body ? JSON.parse(init.body).stream : null });
            return fetch(url, init);
          };
          const { stream, final } = openAIStream(body, {
            baseURL, apiKey: 'sk-browser', retry, fetch: recordingFetch,
            onToken: (token) => { seen.all += token; seen.tokens.push(token); window.aigwTokens++; },
            onMessageStart: () => seen.starts++,
            onMessageEnd: () => seen.ends++,
            onMessageReset: (reset) => { seen.resets.push(reset.discarded); seen.tokens = []; },
            onError: (error) => seen.errors.push(String(error)),
          });
          let streamed = '';
          const reader = stream.getReader();
          for (let read = await reader.read(); !read.done; read = await reader.read()) streamed += read.value;
          const message = await final;
          return {
            all: seen.all, tokens: seen.tokens.join(''), streamed, starts: seen.starts, ends: seen.ends, resets: seen.resets, errors: seen.errors,
            requests: seen.requests, text: message.text, finishReason: message.finishReason, reconnects: message.reconnects,
            fallback: message.fallback, requestId: message.requestId, costUsd: message.costUsd,
          };
        }
        """;

    [Theory]
    [InlineData("chat", 900)]
    [InlineData("responses", 2600)]
    public async Task OpenAIStream_StreamCutMidway_ArrivesWholeAndOnceWithOneUpstreamCall(string endpoint, int cutAfterBytes)
    {
        await using var setup = await Setup.StartAsync();
        var prompt = $"browser {endpoint} {Guid.NewGuid()}";

        var result = await setup.RunAsync(chromium, Body(endpoint, prompt), cuts: 1, cutAfterBytes);

        Assert.Equal(1, setup.Relay.CutsMade);
        Assert.Equal(Expected(prompt), result.GetProperty("text").GetString());
        Assert.Equal(Expected(prompt), result.GetProperty("tokens").GetString());
        Assert.Equal(Expected(prompt), result.GetProperty("streamed").GetString());
        Assert.Equal(1, result.GetProperty("reconnects").GetInt32());
        Assert.Equal("stop", result.GetProperty("finishReason").GetString());
        Assert.Equal("none", result.GetProperty("fallback").GetString());
        Assert.Equal(1, result.GetProperty("starts").GetInt32());
        Assert.Equal(1, result.GetProperty("ends").GetInt32());
        Assert.Equal(0, result.GetProperty("resets").GetArrayLength());
        Assert.Equal(0, result.GetProperty("errors").GetArrayLength());
        // x-aigw-request-id is readable by a page on another origin only because it is exposed.
        Assert.False(string.IsNullOrEmpty(result.GetProperty("requestId").GetString()));
        var requests = result.GetProperty("requests").EnumerateArray().ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Equal(JsonValueKind.Null, requests[0].GetProperty("lastEventId").ValueKind);
        Assert.Matches("^[0-9a-f]{16}:[0-9]+$", requests[1].GetProperty("lastEventId").GetString());
        Assert.Equal("1", requests[1].GetProperty("attempt").GetString());
        Assert.Equal(1, setup.Upstream.RequestCount);
    }

    [Fact]
    public async Task OpenAIStream_FourCutsInARow_NonStreamFallbackCompletesTheSameGenerationWithOneUpstreamCall()
    {
        await using var setup = await Setup.StartAsync();
        var prompt = $"browser fallback {Guid.NewGuid()}";

        var result = await setup.RunAsync(chromium, Body("chat", prompt), cuts: 4, cutAfterBytes: 700, retry: new { baseDelayMs = 10 });

        Assert.Equal(4, setup.Relay.CutsMade);
        Assert.Equal(3, result.GetProperty("reconnects").GetInt32());
        Assert.Equal(Expected(prompt), result.GetProperty("text").GetString());
        Assert.Equal(Expected(prompt), result.GetProperty("tokens").GetString());
        var resets = result.GetProperty("resets").EnumerateArray().Select(reset => reset.GetString()).ToArray();
        // Every token the page got is in the final text or in the text a reset told it to drop: none lost, none twice.
        Assert.Equal(string.Concat(resets) + Expected(prompt), result.GetProperty("all").GetString());
        var requests = result.GetProperty("requests").EnumerateArray().ToArray();
        Assert.Equal(5, requests.Length);
        Assert.Equal(["1", "2", "3"], requests[1..4].Select(r => r.GetProperty("attempt").GetString()));
        var fallback = requests[4];
        Assert.Equal("non-stream", fallback.GetProperty("fallback").GetString());
        Assert.False(fallback.GetProperty("stream").GetBoolean());
        Assert.Matches("^[0-9a-f]{16}:[0-9]+$", fallback.GetProperty("lastEventId").GetString());
        // The gateway answers the fallback from the generation the stream had begun (x-aigw-dedupe: resumer): the page
        // gets only the rest of the text, is never told to start over, and the upstream is called once.
        Assert.Equal("same-generation", result.GetProperty("fallback").GetString());
        Assert.Empty(resets);
        Assert.Equal(Expected(prompt), result.GetProperty("streamed").GetString());
        Assert.Equal(1, setup.Upstream.RequestCount);
    }

    [Fact]
    public async Task Page_OriginNotListed_BrowserRefusesModuleAndStream()
    {
        await using var setup = await Setup.StartAsync();
        await using var otherOrigin = await ScriptedUpstream.StartAsync(context => context.Response.WriteAsync("<!doctype html><title>other</title>"));
        var page = await chromium.Browser.NewPageAsync();
        try
        {
            await page.GotoAsync(otherOrigin.BaseAddress.ToString());

            var refused = await page.EvaluateAsync<JsonElement>("""
                async ({ moduleUrl, url }) => {
                  const outcome = {};
                  try { await import(moduleUrl); outcome.module = 'loaded'; } catch (e) { outcome.module = 'refused'; }
                  try {
                    await fetch(url, { method: 'POST', headers: { authorization: 'Bearer sk-browser', 'content-type': 'application/json' },
                      body: JSON.stringify({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'not for you' }] }) });
                    outcome.stream = 'answered';
                  } catch (e) { outcome.stream = 'refused'; }
                  return outcome;
                }
                """, new { moduleUrl = setup.ModuleUrl, url = new Uri(setup.Relay.BaseAddress, "v1/chat/completions").ToString() });

            Assert.Equal("refused", refused.GetProperty("module").GetString());
            Assert.Equal("refused", refused.GetProperty("stream").GetString());
            Assert.Equal(0, setup.Upstream.RequestCount);
        }
        finally
        {
            await page.CloseAsync();
        }
    }

    private static object Body(string endpoint, string prompt) => endpoint == "chat"
        ? new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = prompt } } }
        : new { model = "gpt-4o-mini", input = prompt };

    // The mock's reply to a prompt of at most 200 characters.
    private static string Expected(string prompt) => "Echo: " + prompt;

    /// <summary>The mock upstream, a gateway that admits the page's origin, the relay in front of it, and the page's origin.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private Setup(MockOpenAiServer upstream, TestGateway gateway, CuttingRelay relay, ScriptedUpstream pageOrigin)
        {
            Upstream = upstream;
            Gateway = gateway;
            Relay = relay;
            PageOrigin = pageOrigin;
        }

        public MockOpenAiServer Upstream { get; }

        public TestGateway Gateway { get; }

        public CuttingRelay Relay { get; }

        public ScriptedUpstream PageOrigin { get; }

        public string ModuleUrl => new Uri(Relay.BaseAddress, "sdk/aigw-stream.js").ToString();

        public static async Task<Setup> StartAsync()
        {
            // Enough content chunks that a cut after a few hundred bytes lands mid-stream.
            var upstream = await MockOpenAiServer.StartAsync(new MockOpenAiOptions { Chunks = 24 });
            var pageOrigin = await ScriptedUpstream.StartAsync(context => context.Response.WriteAsync("<!doctype html><title>app</title>"));
            var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
            {
                ["Gateway:Cors:Origins:0"] = pageOrigin.BaseAddress.GetLeftPart(UriPartial.Authority),
            });
            return new Setup(upstream, gateway, CuttingRelay.Start(gateway.BaseAddress), pageOrigin);
        }

        /// <summary>Runs the stream in a fresh page; the first <paramref name="cuts"/> event streams are cut after <paramref name="cutAfterBytes"/>.</summary>
        public async Task<JsonElement> RunAsync(ChromiumBrowser chromium, object body, int cuts, int cutAfterBytes, object? retry = null)
        {
            var page = await chromium.Browser.NewPageAsync();
            var problems = new List<string>();
            page.PageError += (_, error) => problems.Add(error);
            // Each cut waits until the page has a token more than at the previous one: the bytes before the cut reached it.
            var tokensAtLastCut = 0;
            Relay.CutNext(cuts, cutAfterBytes, async () =>
            {
                var target = tokensAtLastCut + 1;
                await Infrastructure.Eventually.UntilAsync(async () => await page.EvaluateAsync<int>("() => window.aigwTokens ?? 0") >= target, "the page got the bytes before the cut");
                tokensAtLastCut = await page.EvaluateAsync<int>("() => window.aigwTokens");
            });
            try
            {
                await page.GotoAsync(PageOrigin.BaseAddress.ToString());
                return await page.EvaluateAsync<JsonElement>(RunStream, new
                {
                    moduleUrl = ModuleUrl,
                    baseURL = Relay.BaseAddress.ToString(),
                    body,
                    retry,
                });
            }
            finally
            {
                await page.CloseAsync();
                Assert.Empty(problems);
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Relay.DisposeAsync();
            await Gateway.DisposeAsync();
            await PageOrigin.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
