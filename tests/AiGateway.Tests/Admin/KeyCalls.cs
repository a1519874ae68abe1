using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using MockOpenAi;

namespace AiGateway.Tests.Admin;

/// <summary>A VirtualKeys gateway on a mock upstream, its admin clients, and calls made with the keys it issues.</summary>
internal sealed class KeyCalls : IAsyncDisposable
{
    private readonly TestServices.TempDatabase? _database;
    private int _calls;

    private KeyCalls(MockOpenAiServer upstream, TestGateway gateway, TestServices.TempDatabase? database)
    {
        Upstream = upstream;
        Gateway = gateway;
        _database = database;
        Admin = new AdminClient(gateway, AdminClient.AdminKey);
        ReadOnly = new AdminClient(gateway, AdminClient.ReadOnlyKey);
    }

    /// <summary>The mock upstream.</summary>
    public MockOpenAiServer Upstream { get; }

    /// <summary>The gateway.</summary>
    public TestGateway Gateway { get; }

    /// <summary>A client with the full admin key.</summary>
    public AdminClient Admin { get; }

    /// <summary>A client with the read-only admin key.</summary>
    public AdminClient ReadOnly { get; }

    /// <summary>The Postgres connection string, or null on the embedded store.</summary>
    public string? Postgres => _database?.ConnectionString;

    /// <summary>Starts a gateway on <paramref name="store"/> (<c>sqlite</c> or <c>postgres</c>, a fresh database).</summary>
    public static async Task<KeyCalls> StartAsync(string store = "sqlite", Action<Dictionary<string, string>>? settings = null)
    {
        var database = store == "postgres" ? await TestServices.CreateDatabaseAsync() : null;
        var upstream = await MockOpenAiServer.StartAsync();
        var all = AdminClient.Settings(database?.ConnectionString);
        settings?.Invoke(all);
        var gateway = await TestGateway.StartAsync(upstream.BaseAddress, all);
        return new KeyCalls(upstream, gateway, database);
    }

    /// <summary>A second gateway on the same store and upstream (Postgres only), with its own key cache time.</summary>
    public Task<TestGateway> StartOtherInstanceAsync(int keyCacheSeconds) =>
        TestGateway.StartAsync(Upstream.BaseAddress, AdminClient.Settings(Postgres ?? throw new InvalidOperationException("Instances share Postgres only."), keyCacheSeconds));

    /// <summary>Issues a key of org <c>acme</c> named <paramref name="name"/> with the extra fields <paramref name="policy"/> (JSON members); returns the secret and the answer.</summary>
    public async Task<(string Secret, string Id, JsonElement Answer)> CreateKeyAsync(string name = "billing-app", string policy = "")
    {
        var answer = await Admin.CreateKeyAsync($$"""{"org":"acme","name":"{{name}}"{{(policy.Length > 0 ? "," + policy : "")}}}""");
        return (answer.GetProperty("key").GetString()!, answer.GetProperty("id").GetString()!, answer);
    }

    /// <summary>A chat call (never a cache hit) with <paramref name="key"/> on <paramref name="gateway"/> (this test's gateway by default).</summary>
    public Task<HttpResponseMessage> CallAsync(string key, TestGateway? gateway = null, string model = "gpt-4o-mini")
    {
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"call {{Interlocked.Increment(ref _calls)}}"}]}""";
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return (gateway ?? Gateway).Client.SendAsync(request);
    }

    /// <summary>The status of a chat call with <paramref name="key"/>.</summary>
    public async Task<int> StatusAsync(string key, TestGateway? gateway = null)
    {
        using var response = await CallAsync(key, gateway);
        return (int)response.StatusCode;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }
}
