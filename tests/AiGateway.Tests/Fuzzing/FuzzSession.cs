using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Transforms.Endpoints;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// One test's fuzz run against a gateway of <see cref="FuzzGateways"/>: sends each generated request, checks the answer,
/// what reached the upstream and what the gateway logged, then checks the gateway is still healthy; writes a summary of
/// the statuses seen to the test output.
/// </summary>
internal sealed class FuzzSession(FuzzGateways gateways, ITestOutputHelper output)
{
    private readonly SortedDictionary<int, int> _statuses = [];
    private int _forwarded;

    /// <summary>Runs <paramref name="requests"/> against <paramref name="target"/> as the property <paramref name="property"/>.</summary>
    public async Task RunAsync(FuzzTarget target, string property, Gen<FuzzRequest> requests, int iterations)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        await FuzzRunner.RunAsync(property, requests, request => CheckAsync(target, request), iterations, request => request.ToString());
        await StaysHealthyAsync(target);
        // What the run reached, to see at a glance that generated input gets past the first refusal often enough.
        output.WriteLine($"{property}: seed {FuzzSettings.Seed}, {_statuses.Values.Sum()} requests in {started.Elapsed.TotalSeconds:0.0} s, "
            + $"{_forwarded} forwarded upstream, statuses {string.Join(" ", _statuses.Select(s => $"{s.Key}x{s.Value}"))}");
    }

    private async Task CheckAsync(FuzzTarget target, FuzzRequest request)
    {
        gateways.Upstream.Drain();
        gateways.Upstream.DrainOwnFailures();
        var logged = target.Logs.Lines.Count;
        using var message = request.ToMessage(target.Gateway.BaseAddress, target.Key);
        HttpResponseMessage sent;
        try
        {
            sent = await gateways.Client.SendAsync(message);
        }
        catch (HttpRequestException ex) when (request.KestrelRefuses && ex.InnerException is IOException)
        {
            // Kestrel answers 400, 414 or 431 and closes the connection while the client still writes the body: the
            // client sees a broken pipe, not the answer. Any other transport failure is the gateway dropping a connection.
            return;
        }

        using var response = sent;
        var body = await response.Content.ReadAsByteArrayAsync();
        var received = gateways.Upstream.Drain();
        var upstreamFailures = gateways.Upstream.DrainOwnFailures();
        var status = (int)response.StatusCode;
        _statuses[status] = _statuses.GetValueOrDefault(status) + 1;
        if (upstreamFailures > 0 && Environment.GetEnvironmentVariable("AIGW_FUZZ_DEBUG") is not null)
        {
            output.WriteLine($"upstream failed itself ({status}) on: {request}");
        }

        _forwarded += received.Count;

        Assert.True(status < 500 || upstreamFailures > 0, $"The gateway answered {Describe(response, body)} (the upstream received {received.Count} request(s) and made no 5xx); it logged: {string.Join("\n", target.Logs.Lines.Skip(logged))}");
        var errors = target.Logs.Lines.Skip(logged).Where(l => l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 0, $"The gateway answered {status} and logged an error: {string.Join("\n", errors)}");
        var understood = AiEndpoint.Match(request.Method, request.Path.Split('?')[0]) is not null;
        foreach (var forwarded in received)
        {
            ForwardedRequestCheck.IsSane(forwarded, target.UpstreamAuthorization, understood);
        }

        if (request.Path.StartsWith("/api", StringComparison.Ordinal))
        {
            Assert.True(received.Count == 0, $"The admin API called the upstream: {string.Join(", ", received.Select(r => r.Method + " " + r.Target))}");
        }

        if (status is >= 400 and < 500 && !RefusedByKestrel(response, body) && understood)
        {
            IsOpenAiError(response, body);
        }
    }

    private async Task StaysHealthyAsync(FuzzTarget target)
    {
        gateways.Upstream.Drain();
        using var health = await gateways.Client.GetAsync(new Uri(target.Gateway.BaseAddress, "healthz"));
        Assert.Equal(200, (int)health.StatusCode);

        var key = target.Name == "admin" ? gateways.VirtualKeys.Key : target.Key;
        using var call = new HttpRequestMessage(HttpMethod.Post, new Uri(target.Gateway.BaseAddress, "v1/chat/completions"))
        {
            Content = new StringContent($$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"still there? {{Guid.NewGuid()}}"}]}""", Encoding.UTF8, "application/json"),
        };
        call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var answer = await gateways.Client.SendAsync(call);
        var text = await answer.Content.ReadAsStringAsync();
        Assert.True((int)answer.StatusCode == 200, $"A valid call after the fuzz run: {(int)answer.StatusCode} {text}");
        using var json = JsonDocument.Parse(text);
        Assert.Equal("ok", json.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        var forwarded = Assert.Single(gateways.Upstream.Drain());
        ForwardedRequestCheck.IsSane(forwarded, target.Name == "passthrough" ? "Bearer " + key : target.UpstreamAuthorization, understood: true);
    }

    // Kestrel refuses what HTTP forbids (non-ASCII header bytes, a header section past its limit) before any middleware
    // runs: an empty answer that closes the connection. The gateway's own refusals are never empty.
    private static bool RefusedByKestrel(HttpResponseMessage response, byte[] body) =>
        body.Length == 0 && response.Headers.ConnectionClose == true && (int)response.StatusCode is 400 or 414 or 431;

    private static void IsOpenAiError(HttpResponseMessage response, byte[] body)
    {
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"A refusal that is not JSON: {Describe(response, body)}");
        using var json = JsonDocument.Parse(body);
        var error = json.RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("code", out _), "The error has no code");
    }

    private static string Describe(HttpResponseMessage response, byte[] body) =>
        $"{(int)response.StatusCode} with headers [{string.Join("; ", response.Headers.Concat(response.Content.Headers).Select(h => h.Key + ": " + string.Join(",", h.Value)))}] and body {Text(body)}";

    private static string Text(byte[] body) => body.Length > 600 ? Encoding.UTF8.GetString(body, 0, 600) + "…" : Encoding.UTF8.GetString(body);
}
