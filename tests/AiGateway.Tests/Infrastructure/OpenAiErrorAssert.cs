using System.Text.Json;
using Xunit;

namespace AiGateway.Tests.Infrastructure;

/// <summary>Asserts that a response is an error in OpenAI's shape.</summary>
public static class OpenAiErrorAssert
{
    /// <summary>The response has <paramref name="status"/> and an <c>{"error":{message,type,param,code}}</c> body with <paramref name="code"/>.</summary>
    public static async Task IsErrorAsync(HttpResponseMessage response, int status, string code)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = json.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.String, error.GetProperty("type").ValueKind);
        Assert.True(error.TryGetProperty("param", out _));
        Assert.Equal(code, error.GetProperty("code").GetString());
    }

    /// <summary>The <c>type</c> of the error in the response's body.</summary>
    public static async Task<string?> TypeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetProperty("type").GetString();
    }
}
