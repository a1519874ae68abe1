using System.Net;
using System.Text;
using Yarp.ReverseProxy.Forwarder;

namespace AiGateway.Transforms.Upstream;

/// <summary>
/// The upstream <see cref="SocketsHttpHandler"/>, tuned as YARP advises for a proxy: no proxy, redirects, decompression
/// or cookies (YARP's defaults), plus pooled connections kept warm for the few upstream hosts an AI gateway talks to,
/// behind the gateway's retries and timeouts (<see cref="UpstreamResilienceHandler"/>).
/// </summary>
internal sealed class UpstreamHttpClientFactory(UpstreamResilienceHandlerFactory resilience) : ForwarderHttpClientFactory
{
    /// <inheritdoc/>
    protected override HttpMessageHandler WrapHandler(ForwarderHttpClientContext context, HttpMessageHandler handler) =>
        resilience.Wrap(base.WrapHandler(context, handler));

    /// <inheritdoc/>
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        handler.UseProxy = false;
        handler.AllowAutoRedirect = false;
        handler.AutomaticDecompression = DecompressionMethods.None;
        handler.UseCookies = false;
        // Kestrel reads header bytes as UTF-8, and the handler would send only ASCII (a 502 and a logged exception for a
        // client's "é"): the same encoding out sends the client's bytes as they came. A cluster's own
        // HttpClient.RequestHeaderEncoding, set by the base, wins.
        handler.RequestHeaderEncodingSelector ??= (_, _) => Encoding.UTF8;
        handler.EnableMultipleHttp2Connections = true;
        handler.ConnectTimeout = TimeSpan.FromSeconds(15);
        // Re-resolve DNS now and then: api.openai.com sits behind a CDN whose addresses move.
        handler.PooledConnectionLifetime = TimeSpan.FromMinutes(5);
        handler.PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2);
        handler.KeepAlivePingDelay = TimeSpan.FromSeconds(30);
        handler.KeepAlivePingTimeout = TimeSpan.FromSeconds(15);
        handler.KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests;
    }
}
