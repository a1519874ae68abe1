using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace StreamClient;

/// <summary>The HTTP client and chat request every mode of the bench client uses.</summary>
internal static class BenchHttp
{
    /// <summary>A client that keeps up to <paramref name="connections"/> connections open and adds nothing to requests.</summary>
    public static HttpClient NewClient(int connections, double timeoutSeconds, TimeSpan? connectTimeout = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = connections,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        };
        if (connectTimeout is { } timeout)
        {
            handler.ConnectTimeout = timeout;
        }

        return new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(timeoutSeconds) };
    }

    /// <summary>A chat POST of <paramref name="body"/> with the bench key and the --header values.</summary>
    public static HttpRequestMessage ChatRequest(string url, string body, Program.Options options)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-bench-0000");
        foreach (var (name, value) in options.Headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }
}
