using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// A real Kestrel gateway on a free loopback port, composed exactly as <c>Program</c> does, with its own content root
/// (a copy of the repository's appsettings.json pointed at the test upstream) and its own data folder.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestGateway(WebApplication app, string contentRoot, Uri baseAddress)
    {
        _app = app;
        ContentRoot = contentRoot;
        BaseAddress = baseAddress;
        Client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    /// <summary>The gateway's address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client pointed at the gateway.</summary>
    public HttpClient Client { get; }

    /// <summary>The folder holding this gateway's appsettings.json and data.</summary>
    public string ContentRoot { get; }

    /// <summary>The gateway's <c>Gateway:DataDir</c>.</summary>
    public string DataDir => Path.Combine(ContentRoot, "data");

    /// <summary>The appsettings.json this gateway watches.</summary>
    public string SettingsPath => Path.Combine(ContentRoot, "appsettings.json");

    /// <summary>The gateway's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> as the app holding <paramref name="key"/>; a POST without <paramref name="json"/> carries <c>{}</c>.</summary>
    public Task<HttpResponseMessage> SendAsAsync(string method, string path, string key, string? json = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (json is not null || method == "POST")
        {
            request.Content = new StringContent(json ?? "{}", Encoding.UTF8, "application/json");
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return Client.SendAsync(request);
    }

    /// <summary>Starts a gateway whose <c>openai</c> cluster points at <paramref name="upstream"/>.</summary>
    /// <param name="upstream">The upstream base address.</param>
    /// <param name="settings">Extra configuration, as <c>key=value</c> (colon-separated keys).</param>
    /// <param name="editSettings">Edits applied to the copied appsettings.json.</param>
    public static async Task<TestGateway> StartAsync(Uri upstream, IDictionary<string, string>? settings = null, Action<JsonObject>? editSettings = null)
    {
        var contentRoot = Directory.CreateTempSubdirectory("aigw-test-").FullName;
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "appsettings.json")))!.AsObject();
        SetUpstream(json, upstream);
        json["Logging"]!["LogLevel"]!["Default"] = "Warning";
        editSettings?.Invoke(json);
        File.WriteAllText(Path.Combine(contentRoot, "appsettings.json"), json.ToJsonString());

        var args = new List<string> { "--urls", "http://127.0.0.1:0", $"--Gateway:DataDir={Path.Combine(contentRoot, "data")}" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            args.Add($"--{key}={value}");
        }

        var app = GatewayApp.Build(new WebApplicationOptions { Args = args.ToArray(), ContentRootPath = contentRoot, EnvironmentName = "Testing" });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestGateway(app, contentRoot, new Uri(address + "/"));
    }

    /// <summary>Points the <c>openai</c> cluster at another upstream by editing appsettings.json, as an operator would.</summary>
    public void RepointUpstream(Uri upstream)
    {
        var json = JsonNode.Parse(File.ReadAllText(SettingsPath))!.AsObject();
        SetUpstream(json, upstream);
        File.WriteAllText(SettingsPath, json.ToJsonString());
    }

    /// <summary>The repository's root folder (the one holding AiGateway.sln).</summary>
    public static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "AiGateway.sln")))
            {
                dir = dir.Parent;
            }

            return dir?.FullName ?? throw new InvalidOperationException("AiGateway.sln not found above " + AppContext.BaseDirectory);
        }
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(ContentRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static void SetUpstream(JsonObject json, Uri upstream) =>
        json["ReverseProxy"]!["Clusters"]!["openai"]!["Destinations"]!["primary"]!["Address"] = upstream.ToString().TrimEnd('/');
}
