using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace MockOpenAi;

/// <summary>An in-process mock of the OpenAI API for tests; <see cref="Build"/> is also the standalone app.</summary>
public sealed class MockOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly MockState _state;

    private MockOpenAiServer(WebApplication app, MockState state, Uri baseAddress)
    {
        _app = app;
        _state = state;
        BaseAddress = baseAddress;
    }

    /// <summary>The address actually bound, e.g. http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Read at the start of every request: change its properties (or replace it) at any time.</summary>
    public MockOpenAiOptions Options
    {
        get => _state.Options;
        set => _state.Options = value;
    }

    /// <summary>Requests received so far, oldest first; filled only while <see cref="MockOpenAiOptions.RecordRequests"/> is on.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _state.Snapshot();

    /// <summary>Requests received so far (health probes aside), recorded or not.</summary>
    public int RequestCount => _state.RequestCount;

    /// <summary>Forgets the recorded requests and resets <see cref="RequestCount"/> to zero.</summary>
    public void ClearRequests() => _state.Clear();

    public static async Task<MockOpenAiServer> StartAsync(MockOpenAiOptions? options = null,
        string url = "http://127.0.0.1:0")
    {
        var app = Build([], options ?? new MockOpenAiOptions());
        app.Urls.Clear();
        app.Urls.Add(url);
        await app.StartAsync();
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return new MockOpenAiServer(app, app.Services.GetRequiredService<MockState>(), new Uri(addresses.Addresses.First()));
    }

    /// <summary>
    /// The mock as a web application, not yet started. Reads <c>--urls</c> (and ASPNETCORE_URLS) from
    /// <paramref name="args"/>; the behaviour comes from <paramref name="options"/>.
    /// </summary>
    public static WebApplication Build(string[] args, MockOpenAiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // The empty builder loads no appsettings.json: in tests the content root is the test's output
        // folder, whose files belong to the gateway, not to this mock.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            Args = args,
            ApplicationName = typeof(MockOpenAiServer).Assembly.GetName().Name,
        });
        builder.Configuration.AddEnvironmentVariables("ASPNETCORE_").AddCommandLine(args);
        // Warnings by default; Logging:LogLevel:* (command line or ASPNETCORE_Logging__LogLevel__*) turns on e.g.
        // Kestrel's debug log to see why connections or streams are closed.
        builder.Logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
            .AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            if (options.Http2Only)
            {
                kestrel.ConfigureEndpointDefaults(listen => listen.Protocols = HttpProtocols.Http2);
            }
        });

        var state = new MockState(options);
        builder.Services.AddSingleton(state);

        var app = builder.Build();
        app.Run(new MockRequestHandler(state).HandleAsync);
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        // A test's leftover slow stream should not hold up its teardown: in-flight requests get a short grace.
        using var grace = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await _app.StopAsync(grace.Token);
        await _app.DisposeAsync();
    }
}
