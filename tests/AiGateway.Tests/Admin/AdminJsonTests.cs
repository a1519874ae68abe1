using System.Text;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>An operator body that is not well-formed Unicode is a 400 <c>invalid_json</c>, never a 500, on every route that takes one.</summary>
public sealed class AdminJsonTests
{
    [Fact]
    public async Task Bodies_LoneSurrogateOrInvalidUtf8_400InvalidJsonAndNothingChanges()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, _) = await setup.CreateKeyAsync();
        var before = (await setup.Admin.GetAsync("api/keys")).GetRawText() + (await setup.Admin.GetAsync("api/orgs/acme/settings")).GetRawText();
        (HttpMethod Method, string Path, string Json)[] calls =
        [
            (HttpMethod.Put, "api/orgs/acme/settings", """{"mode_default":"\ud800"}"""),
            (HttpMethod.Put, "api/orgs/acme/customers/cust-1/settings", """{"mode_default":"x\udc00"}"""),
            (HttpMethod.Post, "api/keys", """{"org":"acme","name":"\ud800"}"""),
            (HttpMethod.Patch, $"api/keys/{id}", """{"models":["\ud83d"]}"""),
            (HttpMethod.Post, $"api/keys/{id}/rotate", """{"\udfff":1}"""),
        ];

        foreach (var (method, path, json) in calls)
        {
            using var surrogate = await setup.Admin.SendAsync(method, path, json);
            using var invalidUtf8 = await SendBytesAsync(setup, method, path, [.. Encoding.UTF8.GetBytes("{\"name\":\""), 0xC3, 0x28, .. Encoding.UTF8.GetBytes("\"}")]);

            await OpenAiErrorAssert.IsErrorAsync(surrogate, 400, "invalid_json");
            await OpenAiErrorAssert.IsErrorAsync(invalidUtf8, 400, "invalid_json");
        }

        Assert.Equal(before, (await setup.Admin.GetAsync("api/keys")).GetRawText() + (await setup.Admin.GetAsync("api/orgs/acme/settings")).GetRawText());
    }

    private static Task<HttpResponseMessage> SendBytesAsync(KeyCalls setup, HttpMethod method, string path, byte[] body)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminClient.AdminKey);
        return setup.Gateway.Client.SendAsync(request);
    }
}
