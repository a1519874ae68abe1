using System.Net;
using System.Net.Http.Headers;
using AiGateway.Tests.Infrastructure;
using AiGateway.Tests.Metrics;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>The metrics API and <c>/metrics</c> answer only with the admin key; the pages themselves carry no data.</summary>
public sealed class MetricsAuthorizationTests
{
    [Theory]
    [InlineData("api/metrics/ai-performance")]
    [InlineData("api/metrics/ai-performance/timeseries")]
    [InlineData("metrics")]
    public async Task Get_WithoutOrWithWrongKey_401AndWithKey_200(string path)
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", MetricsRows.Generate(10));
        var client = setup.Gateway.Client;

        using var anonymous = await client.GetAsync(path);
        using var wrong = await client.SendAsync(WithKey(path, "not-the-key"));
        using var right = await client.SendAsync(WithKey(path, MetricsApi.AdminKey));

        await OpenAiErrorAssert.IsErrorAsync(anonymous, 401, "invalid_admin_key");
        await OpenAiErrorAssert.IsErrorAsync(wrong, 401, "invalid_admin_key");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Theory]
    [InlineData("dev/ai-metrics", "text/html")]
    [InlineData("dev/stream-metrics", "text/html")]
    [InlineData("dev/assets/dashboard.js", "text/javascript")]
    [InlineData("dev/assets/charts.js", "text/javascript")]
    [InlineData("dev/assets/dashboard.css", "text/css")]
    public async Task GetPage_KeyConfigured_ServedWithoutData(string path, string contentType)
    {
        await using var setup = await MetricsGateway.StartAsync("sqlite", MetricsRows.Generate(10));

        using var response = await setup.Gateway.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.DoesNotContain("org-a", await response.Content.ReadAsStringAsync());
    }

    private static HttpRequestMessage WithKey(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }
}
