using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace AiGateway.Tests.Gateway;

/// <summary>
/// Where the gateway listens when nothing says so: <c>http://localhost:8080</c> (CONTRACT §9), not ASP.NET Core's
/// <c>localhost:5000</c>. The host is built, not started, and its resolved <c>urls</c> read: what Kestrel binds at start
/// comes from that setting, and nothing here takes a developer's port 8080.
/// </summary>
public sealed class DefaultListenAddressTests : IDisposable
{
    private readonly string _contentRoot = Directory.CreateTempSubdirectory("aigw-urls-").FullName;

    public DefaultListenAddressTests() =>
        File.Copy(Path.Combine(TestGateway.RepositoryRoot, "appsettings.json"), Path.Combine(_contentRoot, "appsettings.json"));

    public void Dispose() => Directory.Delete(_contentRoot, recursive: true);

    [Fact]
    public async Task Build_NoListenAddressConfigured_LocalhostPort8080()
    {
        await using var app = Build();

        Assert.Equal("http://localhost:8080", app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }

    [Fact]
    public async Task Build_UrlsOnTheCommandLine_Kept()
    {
        await using var app = Build("--urls", "http://127.0.0.1:0");

        Assert.Equal("http://127.0.0.1:0", app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }

    [Theory]
    [InlineData("--Kestrel:Endpoints:main:Url=http://127.0.0.1:0")]
    [InlineData("--http_ports=9090")]
    public async Task Build_OtherListenSettings_NoDefaultAdded(string setting)
    {
        await using var app = Build(setting);

        Assert.Null(app.Configuration[WebHostDefaults.ServerUrlsKey]);
    }

    private WebApplication Build(params string[] args) => GatewayApp.Build(new WebApplicationOptions
    {
        Args = [.. args, $"--Gateway:DataDir={Path.Combine(_contentRoot, "data")}"],
        ContentRootPath = _contentRoot,
    });
}
