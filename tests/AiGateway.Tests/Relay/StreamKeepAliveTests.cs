using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Relay;

/// <summary>
/// Keepalives (<c>Gateway:Streaming:KeepAliveSeconds</c>, CONTRACT §10.6) against a relay that drops connections left
/// silent, as load balancers do: a stream whose upstream is silent for longer than the relay allows arrives whole with
/// keepalives and is cut without them — both while the upstream has not answered at all (the client then gets its 200
/// headers with the first keepalive) and between its headers and its first event.
/// </summary>
public sealed class StreamKeepAliveTests
{
    // The upstream's silence outlasts the relay's idle limit; the keepalive period is well inside it, with two seconds
    // to spare for a keepalive written late on a starved machine (one second of slack was once not enough in a full run).
    private static readonly TimeSpan UpstreamSilence = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RelayIdleLimit = TimeSpan.FromSeconds(3);
    private const int KeepAliveSeconds = 1;

    [Theory]
    [InlineData("before-headers")]
    [InlineData("before-first-event")]
    public async Task Stream_UpstreamSilentLongerThanTheRelayAllows_ArrivesWholeWithKeepAlives(string silence)
    {
        await using var setup = await Setup.StartAsync(KeepAliveSeconds);

        using var response = await setup.SendAsync(silence);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString());
        Assert.Contains(": keepalive\n\n", text);
        Assert.Equal("Hello world", Content(text));
        Assert.Contains("data: [DONE]", text);
        // The keepalives carry no id: the events are numbered 0, 1, 2 … as without them, so resume positions hold.
        var ids = text.Split('\n').Where(line => line.StartsWith("id: ", StringComparison.Ordinal)).Select(line => line[(line.LastIndexOf(':') + 1)..]).ToList();
        Assert.Equal(Enumerable.Range(0, ids.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), ids);
        Assert.DoesNotContain("id: ", text.Split(": keepalive")[0].Split("\n\n")[^1]);
        Assert.Equal(0, setup.Relay.Cuts);
    }

    [Theory]
    [InlineData("before-headers")]
    [InlineData("before-first-event")]
    public async Task Stream_UpstreamSilentLongerThanTheRelayAllowsKeepAliveOff_IsCut(string silence)
    {
        await using var setup = await Setup.StartAsync(keepAliveSeconds: 0);

        var received = "";
        try
        {
            using var response = await setup.SendAsync(silence);
            received = await response.Content.ReadAsStringAsync();
        }
        catch (HttpRequestException)
        {
            // Cut before the headers (or mid-body): the client gets no answer.
        }

        Assert.DoesNotContain("[DONE]", received);
        Assert.DoesNotContain("keepalive", received);
        Assert.Equal(1, setup.Relay.Cuts);
    }

    [Fact]
    public async Task Stream_FollowerWaitingOnASilentUpstream_GetsKeepAlivesTooAndTheWholeStream()
    {
        await using var setup = await Setup.StartAsync(KeepAliveSeconds);
        var body = $"{{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"shared {Guid.NewGuid()}\"}}]}}";

        // Both through the idle-cutting relay; the second joins the first while the upstream is still silent.
        var leading = setup.SendAsync("before-headers", body);
        await LiveAnswers.WaitUntilAsync(() => setup.Gateway.Services.GetRequiredService<AiGateway.Transforms.Relay.LiveResponseRegistry>().Inflight.Count == 1);
        var following = setup.SendAsync("before-headers", body);
        using var leader = await leading;
        using var follower = await following;
        var leaderText = await leader.Content.ReadAsStringAsync();
        var followerText = await follower.Content.ReadAsStringAsync();

        Assert.Equal("follower", follower.Headers.GetValues("x-aigw-dedupe").Single());
        Assert.Contains(": keepalive\n\n", followerText);
        Assert.Equal("Hello world", Content(followerText));
        Assert.Equal("Hello world", Content(leaderText));
        Assert.Equal(1, setup.Calls);
        Assert.Equal(0, setup.Relay.Cuts);
    }

    [Fact]
    public async Task Stream_UpstreamFailsAfterAKeepAliveStartedTheStream_ClientGetsAnErrorEventNotAStatus()
    {
        // The upstream stays silent past a keepalive, then answers 400: the client's 200 is sent, so the error comes as an event.
        var silence = new TaskCompletionSource();
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            await silence.Task.WaitAsync(TimeSpan.FromSeconds(60));
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"message\":\"bad things\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"bad_thing\"}}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Streaming:KeepAliveSeconds"] = "1" });

        using var response = await gateway.Client.SendAsync(Chat(), HttpCompletionOption.ResponseHeadersRead);
        var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await body.ReadLineAsync();
        silence.SetResult();
        var rest = await body.ReadToEndAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(": keepalive", first);
        Assert.Contains("data: {\"error\"", rest);
        Assert.True(rest.Contains("\"code\":\"bad_thing\"", StringComparison.Ordinal), rest);
        Assert.Contains("bad things", rest);
    }

    [Fact]
    public async Task Stream_UpstreamFailsBeforeAnyKeepAlive_ItsStatusAndBodyPassThrough()
    {
        await using var upstream = await ScriptedUpstream.StartAsync(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("{\"error\":{\"message\":\"bad things\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"bad_thing\"}}");
        });
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string> { ["Gateway:Streaming:KeepAliveSeconds"] = "60" });

        using var response = await gateway.Client.SendAsync(Chat());

        await OpenAiErrorAssert.IsErrorAsync(response, 400, "bad_thing");
    }

    // The text of the chunks' content deltas.
    private static string Content(string sse)
    {
        var text = new StringBuilder();
        foreach (var line in sse.Split('\n'))
        {
            const string marker = "\"content\":\"";
            var at = line.IndexOf(marker, StringComparison.Ordinal);
            if (line.StartsWith("data: {", StringComparison.Ordinal) && at >= 0)
            {
                text.Append(line[(at + marker.Length)..line.IndexOf('"', at + marker.Length)]);
            }
        }

        return text.ToString();
    }

    private static HttpRequestMessage Chat(string? body = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(body ?? $"{{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"keepalive {Guid.NewGuid()}\"}}]}}", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-keepalive");
        return request;
    }

    /// <summary>An upstream that is silent where the test says, a gateway, and the idle-cutting relay in front of it.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private readonly HttpClient _client;
        private readonly StrongBox<int> _calls;

        private Setup(ScriptedUpstream upstream, TestGateway gateway, IdleCuttingRelay relay, StrongBox<int> calls)
        {
            _calls = calls;
            Upstream = upstream;
            Gateway = gateway;
            Relay = relay;
            _client = new HttpClient { BaseAddress = relay.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        }

        public ScriptedUpstream Upstream { get; }

        public TestGateway Gateway { get; }

        public IdleCuttingRelay Relay { get; }

        /// <summary>Calls the upstream received.</summary>
        public int Calls => Volatile.Read(ref _calls.Value);

        public static async Task<Setup> StartAsync(int keepAliveSeconds)
        {
            var calls = new StrongBox<int>();
            var upstream = await ScriptedUpstream.StartAsync(async context =>
            {
                Interlocked.Increment(ref calls.Value);
                var silence = context.Request.Headers["x-test-silence"].ToString();
                if (silence == "before-headers")
                {
                    await Task.Delay(UpstreamSilence, context.RequestAborted);
                }

                context.Response.ContentType = "text/event-stream";
                await context.Response.Body.FlushAsync(context.RequestAborted);
                if (silence == "before-first-event")
                {
                    await Task.Delay(UpstreamSilence, context.RequestAborted);
                }

                foreach (var piece in new[] { "Hello", " world" })
                {
                    await ScriptedUpstream.WriteEventAsync(context.Response,
                        $"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{piece}\"}}}}]}}\n\n");
                }

                await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
            });
            var gateway = await TestGateway.StartAsync(upstream.BaseAddress, new Dictionary<string, string>
            {
                ["Gateway:Streaming:KeepAliveSeconds"] = keepAliveSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            });
            return new Setup(upstream, gateway, IdleCuttingRelay.Start(gateway.BaseAddress, RelayIdleLimit), calls);
        }

        /// <summary>Sends the stream through the relay on a connection of its own, closed after the answer (so no idle pooled connection is cut).</summary>
        public async Task<HttpResponseMessage> SendAsync(string silence, string? body = null)
        {
            var request = Chat(body);
            request.Headers.Add("x-test-silence", silence);
            request.Headers.ConnectionClose = true;
            return await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        }

        public async ValueTask DisposeAsync()
        {
            _client.Dispose();
            await Relay.DisposeAsync();
            await Gateway.DisposeAsync();
            await Upstream.DisposeAsync();
        }
    }
}
