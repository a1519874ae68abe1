using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;

namespace AiGateway.Tests.Metrics;

/// <summary>Real calls through a test gateway, as an app makes them.</summary>
internal static class MetricsTraffic
{
    /// <summary>A chat body that no other call shares.</summary>
    public static string ChatBody(string model, bool stream) =>
        $"{{\"model\":\"{model}\",\"stream\":{(stream ? "true" : "false")},\"messages\":[{{\"role\":\"user\",\"content\":\"Measure {Guid.NewGuid()} for the dashboards\"}}]}}";

    /// <summary>A chat request with an app key, the route header and optional extra headers.</summary>
    public static HttpRequestMessage Chat(string body, string? route, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, null, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-metrics-test");
        if (route is not null)
        {
            request.Headers.Add("x-aigw-route", route);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    /// <summary>Sends a chat call and reads its whole body.</summary>
    public static async Task<HttpResponseMessage> SendAsync(TestGateway gateway, string body, string? route, params (string Name, string Value)[] headers)
    {
        var response = await gateway.Client.SendAsync(Chat(body, route, headers));
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
