namespace AiGateway;

/// <summary>The gateway's default listen address, <c>http://localhost:8080</c> (CONTRACT §9), in place of ASP.NET Core's <c>localhost:5000</c>.</summary>
public static class ListenAddressWebHostBuilderExtensions
{
    /// <summary>Where the gateway listens when no setting says otherwise.</summary>
    public const string DefaultUrl = "http://localhost:8080";

    /// <summary>Listens on <see cref="DefaultUrl"/> unless the configuration names an address, in any of the ways Kestrel reads one.</summary>
    public static IWebHostBuilder UseDefaultListenAddress(this IWebHostBuilder webHost, IConfiguration configuration)
    {
        if (!NamesAnAddress(configuration))
        {
            webHost.UseUrls(DefaultUrl);
        }

        return webHost;
    }

    /// <summary>
    /// Whether <paramref name="configuration"/> says where to listen: <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>,
    /// <c>DOTNET_URLS</c>), <c>http_ports</c>/<c>https_ports</c> (<c>ASPNETCORE_HTTP_PORTS</c>, which the .NET container
    /// images set) or endpoints under <c>Kestrel:Endpoints</c>. A blank value says nothing, as for Kestrel.
    /// </summary>
    public static bool NamesAnAddress(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.ServerUrlsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpPortsKey])
        || !string.IsNullOrWhiteSpace(configuration[WebHostDefaults.HttpsPortsKey])
        || configuration.GetSection("Kestrel:Endpoints").GetChildren().Any();
}
