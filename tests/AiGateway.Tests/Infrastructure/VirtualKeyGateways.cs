using System.Net.Http.Headers;
using System.Text;
using AiGateway.Transforms.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// Gateways in VirtualKeys mode in front of one counting upstream that answers chat calls with a fixed usage (10 prompt
/// and 40 completion tokens) and can hold its answers until released: what the quota tests need. With a Redis
/// connection string the gateways share it (one or two instances).
/// </summary>
public sealed class VirtualKeyGateways : IAsyncDisposable
{
    /// <summary>The usage every answer reports.</summary>
    public const long PromptTokens = 10, CompletionTokens = 40;

    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _waiting;

    private VirtualKeyGateways()
    {
    }

    /// <summary>The upstream.</summary>
    public ScriptedUpstream Upstream { get; private set; } = null!;

    /// <summary>The gateways, sharing the store of the first one's Redis (if any).</summary>
    public IReadOnlyList<TestGateway> Gateways { get; private set; } = [];

    /// <summary>Calls that reached the upstream.</summary>
    public int UpstreamCalls => Volatile.Read(ref _calls);

    /// <summary>Calls the upstream is holding now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Whether answers are held until <see cref="Release"/>.</summary>
    public bool Hold { get; set; }

    /// <summary>Starts <paramref name="instances"/> gateways; <paramref name="settings"/> are added to each.</summary>
    public static async Task<VirtualKeyGateways> StartAsync(int instances = 1, IDictionary<string, string>? settings = null, string? postgres = null)
    {
        var fixture = new VirtualKeyGateways();
        fixture.Upstream = await ScriptedUpstream.StartAsync(fixture.AnswerAsync);
        var all = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = "sk-upstream-quota",
            ["Gateway:Auth:KeyCacheSeconds"] = "0",
        };
        if (postgres is not null)
        {
            all["ConnectionStrings:Postgres"] = postgres;
        }

        var gateways = new List<TestGateway>();
        for (var i = 0; i < instances; i++)
        {
            gateways.Add(await TestGateway.StartAsync(fixture.Upstream.BaseAddress, all));
        }

        fixture.Gateways = gateways;
        return fixture;
    }

    /// <summary>Lets every held answer (and every later one) go.</summary>
    public void Release() => _released.TrySetResult();

    /// <summary>Issues a key with <paramref name="policy"/> in the store of every gateway (one store when they share Postgres).</summary>
    public async Task<string> CreateKeyAsync(string org, Func<ApiKeyRecord, ApiKeyRecord>? policy = null)
    {
        var key = ApiKeyHasher.NewVirtualKey();
        var record = new ApiKeyRecord(ApiKeyHasher.Hash(key), org, "quota-test", DateTime.UtcNow, null);
        record = policy?.Invoke(record) ?? record;
        foreach (var store in Gateways.Select(g => g.Services.GetRequiredService<IApiKeyStore>()).Distinct())
        {
            if ((await store.FindAsync(record.KeyHash, CancellationToken.None)) is null)
            {
                await store.CreateAsync(record, CancellationToken.None);
            }
        }

        return key;
    }

    /// <summary>A unique chat body asking for at most <paramref name="maxTokens"/> output tokens.</summary>
    public static string Chat(string model = "gpt-4o-mini", int maxTokens = 40) =>
        $$"""{"model":"{{model}}","max_tokens":{{maxTokens}},"messages":[{"role":"user","content":"Quota call {{Guid.NewGuid()}}"}]}""";

    /// <summary>Posts a chat call through gateway <paramref name="instance"/>.</summary>
    public Task<HttpResponseMessage> PostAsync(string key, string body, int instance = 0, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return Gateways[instance].Client.SendAsync(request);
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Release();
        foreach (var gateway in Gateways)
        {
            await gateway.DisposeAsync();
        }

        await Upstream.DisposeAsync();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        if (Hold)
        {
            Interlocked.Increment(ref _waiting);
            await _released.Task;
            Interlocked.Decrement(ref _waiting);
        }

        context.Response.ContentType = "application/json";
        var id = Guid.NewGuid().ToString("N");
        await context.Response.WriteAsync(
            "{\"id\":\"chatcmpl-" + id + "\",\"object\":\"chat.completion\",\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,"
            + "\"message\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":\"stop\"}],"
            + $"\"usage\":{{\"prompt_tokens\":{PromptTokens},\"completion_tokens\":{CompletionTokens},\"total_tokens\":{PromptTokens + CompletionTokens}}}}}");
    }
}
