using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.CostLog;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Inflight;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Inflight;

/// <summary>
/// The in-flight API (CONTRACT §10.6) on real gateways: two instances sharing one Redis list and cancel each other's
/// calls; an app asks about and releases its own calls and no other org's; a release by the only reader stops the upstream
/// call at once instead of after the resume grace, and one by a reader among two leaves the other's stream whole.
/// </summary>
public sealed class InflightApiTests
{
    private const string AdminKey = "inflight-admin-key";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task CallLedOnOtherInstance_ListedAndCancelledFromThisOne_EveryReaderGetsCancelledAndTheRowSaysSo()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var a = await StartAsync(upstream, database.ConnectionString);
        await using var b = await StartAsync(upstream, database.ConnectionString);
        var app = new App();
        var body = app.Body("cancel me");

        using var stream = await SendStreamAsync(b, app, body);
        var id = RequestId(stream);
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await reader.ReadEventAsync().WaitAsync(Patience));

        // Asked on A, the list holds the call B leads.
        var call = await Eventually(a, list => list.Calls.FirstOrDefault(c => c.Id == id));
        Assert.Equal(b.Services.GetRequiredService<GatewayInstance>().Id, call.Instance);
        Assert.Equal(app.OrgId, call.Org);
        Assert.Equal("inflight.test", call.Route);
        Assert.Equal("gpt-4o-mini", call.Model);
        Assert.True(call.Stream);
        Assert.Equal(1, call.Readers);
        Assert.True(call.Events >= 1);
        Assert.Contains(b.Services.GetRequiredService<GatewayInstance>().Id, (await ListAsync(a, "")).Instances);
        Assert.Empty((await ListAsync(a, "?org=someone-else")).Calls);

        // Its own app sees it running from A; another org neither sees, nor releases, nor cancels it.
        var stranger = new App();
        Assert.True((await RunningAsync(a, app, id)).GetProperty("running").GetBoolean());
        using (var hidden = await a.Client.SendAsync(stranger.Request(HttpMethod.Get, $"api/inflight/{id}")))
        {
            await OpenAiErrorAssert.IsErrorAsync(hidden, 404, "not_found");
        }

        using (var release = await a.Client.SendAsync(stranger.Request(HttpMethod.Post, $"api/inflight/{id}/release")))
        {
            await OpenAiErrorAssert.IsErrorAsync(release, 404, "not_found");
        }

        using (var appCancel = await a.Client.SendAsync(app.Request(HttpMethod.Delete, $"api/inflight/{id}")))
        {
            await OpenAiErrorAssert.IsErrorAsync(appCancel, 401, "invalid_admin_key");
        }

        using (var cancel = await a.Client.SendAsync(Admin(HttpMethod.Delete, $"api/inflight/{id}")))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        // The reader on B gets the cancel as an error event, the upstream call stops, and nothing more arrives.
        var rest = await reader.ReadAllAsync().WaitAsync(Patience);
        var error = Assert.Single(rest);
        Assert.Contains("\"code\":\"cancelled\"", error);
        await upstream.Stopped.WaitAsync(Patience);
        Assert.Equal(1, upstream.Calls);
        await Infrastructure.Eventually.UntilAsync(async () => (await ListAsync(a, "")).Calls.All(c => c.Id != id), "the call leaves the list");
        using (var again = await a.Client.SendAsync(Admin(HttpMethod.Delete, $"api/inflight/{id}")))
        {
            await OpenAiErrorAssert.IsErrorAsync(again, 404, "not_found");
        }

        var row = await RowAsync(database.ConnectionString, id);
        Assert.Equal("cancelled", row.Error);
        // Nothing was cached: the same request is a fresh call.
        upstream.Release();
        using var fresh = await SendStreamAsync(a, app, body);
        Assert.Equal("miss", fresh.Headers.GetValues("x-aigw-cache").Single());
        await fresh.Content.ReadAsStringAsync();
        Assert.Equal(2, upstream.Calls);
    }

    [Fact]
    public async Task Release_TheOnlyReaderLeft_UpstreamCallStopsLongBeforeTheGrace()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var database = await TestServices.CreateDatabaseAsync();
        // A grace of ten minutes: only the release can stop the call within the test's patience.
        await using var gateway = await StartAsync(upstream, database.ConnectionString, redis: false, graceSeconds: 600);
        var app = new App();

        var stream = await SendStreamAsync(gateway, app, app.Body("stop me"));
        var id = RequestId(stream);
        var reader = new SseReader(await stream.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await reader.ReadEventAsync().WaitAsync(Patience));
        // What stop() does: abort the stream, then release its reader.
        stream.Dispose();
        using (var release = await gateway.Client.SendAsync(app.Request(HttpMethod.Post, $"api/inflight/{id}/release")))
        {
            Assert.Equal(HttpStatusCode.Accepted, release.StatusCode);
        }

        await upstream.Stopped.WaitAsync(Patience);
        Assert.Equal("released", (await RowAsync(database.ConnectionString, id)).Error);
        using var after = await gateway.Client.SendAsync(app.Request(HttpMethod.Get, $"api/inflight/{id}"));
        await OpenAiErrorAssert.IsErrorAsync(after, 404, "not_found");
    }

    [Fact]
    public async Task Release_OneOfTwoReaders_TheOtherGetsTheWholeStreamFromOneUpstreamCall()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var database = await TestServices.CreateDatabaseAsync();
        await using var gateway = await StartAsync(upstream, database.ConnectionString, redis: false, graceSeconds: 600);
        var app = new App();
        var body = app.Body("two readers");

        var leaving = await SendStreamAsync(gateway, app, body);
        var leavingEvents = new SseReader(await leaving.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await leavingEvents.ReadEventAsync().WaitAsync(Patience));
        using var staying = await SendStreamAsync(gateway, app, body);
        Assert.Equal("follower", staying.Headers.GetValues("x-aigw-dedupe").Single());
        var stayingEvents = new SseReader(await staying.Content.ReadAsStreamAsync());
        Assert.Contains("Hello", await stayingEvents.ReadEventAsync().WaitAsync(Patience));

        var leavingId = RequestId(leaving);
        leaving.Dispose();
        using (var release = await gateway.Client.SendAsync(app.Request(HttpMethod.Post, $"api/inflight/{leavingId}/release")))
        {
            Assert.Equal(HttpStatusCode.Accepted, release.StatusCode);
        }

        // The other reader keeps the call going: the upstream is not stopped, and once it goes on the stream completes.
        Assert.True((await RunningAsync(gateway, app, RequestId(staying))).GetProperty("running").GetBoolean());
        Assert.False(upstream.Stopped.IsCompleted);
        upstream.Release();
        var rest = await stayingEvents.ReadAllAsync().WaitAsync(Patience);
        Assert.Contains(rest, e => e.Contains(" world", StringComparison.Ordinal));
        Assert.Equal("data: [DONE]", rest[^1]);
        Assert.Equal(1, upstream.Calls);
        Assert.False(upstream.Stopped.IsCompleted);
        Assert.Equal("released", (await RowAsync(database.ConnectionString, leavingId)).Error);
        Assert.Null((await RowAsync(database.ConnectionString, RequestId(staying))).Error);
    }

    [Fact]
    public async Task Running_MalformedIdOrNoKey_ClearErrors()
    {
        await using var upstream = await HeldStreamUpstream.StartAsync();
        await using var gateway = await StartAsync(upstream, postgres: null, redis: false);
        var app = new App();

        using var malformed = await gateway.Client.SendAsync(app.Request(HttpMethod.Get, "api/inflight/not-an-id"));
        await OpenAiErrorAssert.IsErrorAsync(malformed, 400, "invalid_parameter");
        using var keyless = await gateway.Client.GetAsync($"api/inflight/{Guid.NewGuid()}");
        await OpenAiErrorAssert.IsErrorAsync(keyless, 401, "invalid_api_key");
        using var badCustomer = await gateway.Client.SendAsync(app.Request(HttpMethod.Get, $"api/inflight/{Guid.NewGuid()}", ("x-aigw-customer", "no spaces")));
        await OpenAiErrorAssert.IsErrorAsync(badCustomer, 400, "invalid_customer");
        using var listWithoutAdmin = await gateway.Client.SendAsync(app.Request(HttpMethod.Get, "api/inflight"));
        await OpenAiErrorAssert.IsErrorAsync(listWithoutAdmin, 401, "invalid_admin_key");
    }

    private static async Task<TestGateway> StartAsync(HeldStreamUpstream upstream, string? postgres, bool redis = true, int graceSeconds = 10)
    {
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Admin:Key"] = AdminKey,
            ["Gateway:Log:FlushIntervalMs"] = "50",
            ["Gateway:Resume:GraceSeconds"] = graceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (redis)
        {
            settings["ConnectionStrings:Redis"] = TestServices.Redis;
        }

        if (postgres is not null)
        {
            settings["ConnectionStrings:Postgres"] = postgres;
        }

        return await TestGateway.StartAsync(upstream.Upstream.BaseAddress, settings);
    }

    private static async Task<HttpResponseMessage> SendStreamAsync(TestGateway gateway, App app, string body)
    {
        var request = app.Request(HttpMethod.Post, "v1/chat/completions", ("x-aigw-route", "inflight.test"));
        request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        var response = await gateway.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static Guid RequestId(HttpResponseMessage response) => Guid.Parse(response.Headers.GetValues("x-aigw-request-id").Single());

    private static async Task<JsonElement> RunningAsync(TestGateway gateway, App app, Guid id)
    {
        using var response = await gateway.Client.SendAsync(app.Request(HttpMethod.Get, $"api/inflight/{id}"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<InflightList> ListAsync(TestGateway gateway, string query)
    {
        using var response = await gateway.Client.SendAsync(Admin(HttpMethod.Get, "api/inflight" + query));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        return JsonSerializer.Deserialize(text, InflightJsonContext.Default.InflightList)!;
    }

    private static async Task<InflightCall> Eventually(TestGateway gateway, Func<InflightList, InflightCall?> find)
    {
        InflightCall? found = null;
        await Infrastructure.Eventually.UntilAsync(async () => (found = find(await ListAsync(gateway, ""))) is not null, "the call is listed");
        return found!;
    }

    private static async Task<Transforms.CostLog.PerfLogRecord> RowAsync(string postgres, Guid id)
    {
        Transforms.CostLog.PerfLogRecord? row = null;
        await Infrastructure.Eventually.UntilAsync(async () => (row = (await PerfLogRows.ReadAllAsync(postgres)).FirstOrDefault(r => r.Id == id)) is not null, "the call's row");
        return row!;
    }

    private static HttpRequestMessage Admin(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        return request;
    }

    /// <summary>An app: its own passthrough key, so its own org.</summary>
    private sealed class App
    {
        public string Key { get; } = "sk-inflight-" + Guid.NewGuid().ToString("N");

        public string OrgId => "pt_" + Transforms.Identity.ApiKeyHasher.Hash(Key)[..16];

        public string Body(string label) =>
            $"{{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[{{\"role\":\"user\",\"content\":\"{label} {Guid.NewGuid()}\"}}]}}";

        public HttpRequestMessage Request(HttpMethod method, string path, params (string Name, string Value)[] headers)
        {
            var request = new HttpRequestMessage(method, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key);
            foreach (var (name, value) in headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            return request;
        }
    }
}
