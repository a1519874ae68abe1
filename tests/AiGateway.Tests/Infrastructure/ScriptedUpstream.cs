using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// An upstream whose every response is written by the test, for behaviour WireMock cannot script:
/// events released one at a time on the test's signal, stalls, connections dropped mid-stream.
/// </summary>
public sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ScriptedUpstream(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    /// <summary>The upstream's address.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts an upstream on a free loopback port that answers every request with <paramref name="handler"/>.</summary>
    public static async Task<ScriptedUpstream> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ScriptedUpstream(app, new Uri(address + "/"));
    }

    /// <summary>Writes one SSE event and flushes it.</summary>
    public static async Task WriteEventAsync(HttpResponse response, string sseEvent)
    {
        await response.WriteAsync(sseEvent);
        await response.Body.FlushAsync();
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
