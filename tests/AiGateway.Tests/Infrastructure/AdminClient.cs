using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit;

namespace AiGateway.Tests.Infrastructure;

/// <summary>Calls a test gateway's operator API with one admin key (or none) and reads its JSON.</summary>
internal sealed class AdminClient(TestGateway gateway, string? key)
{
    /// <summary>The full admin key the governance tests configure.</summary>
    public const string AdminKey = "test-admin-key";

    /// <summary>The read-only admin key they configure.</summary>
    public const string ReadOnlyKey = "test-read-only-key";

    /// <summary>The gateway's settings for a test with both admin keys, VirtualKeys mode and the given store (<c>sqlite</c> or a Postgres connection string).</summary>
    public static Dictionary<string, string> Settings(string? postgres = null, int keyCacheSeconds = 3600)
    {
        var settings = new Dictionary<string, string>
        {
            ["Gateway:Admin:Key"] = AdminKey,
            ["Gateway:Admin:ReadOnlyKey"] = ReadOnlyKey,
            ["Gateway:Auth:Mode"] = "VirtualKeys",
            ["Gateway:Upstream:ApiKey"] = "sk-upstream-test",
            // Long, so that a change seen at once on the same instance is the eviction's doing, not the cache's expiry.
            ["Gateway:Auth:KeyCacheSeconds"] = keyCacheSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        if (postgres is not null)
        {
            settings["ConnectionStrings:Postgres"] = postgres;
        }

        return settings;
    }

    /// <summary>Sends <paramref name="method"/> <paramref name="path"/> with <paramref name="json"/> (none when null).</summary>
    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return gateway.Client.SendAsync(request);
    }

    /// <summary>Sends the request and returns its JSON, asserting <paramref name="status"/>.</summary>
    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, string? json = null, int status = 200)
    {
        using var response = await SendAsync(method, path, json);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>GETs the JSON of <paramref name="path"/>, asserting 200.</summary>
    public Task<JsonElement> GetAsync(string path) => JsonAsync(HttpMethod.Get, path);

    /// <summary>Issues a key through <c>POST /api/keys</c> with <paramref name="json"/>; returns the answer (which holds the secret).</summary>
    public Task<JsonElement> CreateKeyAsync(string json) => JsonAsync(HttpMethod.Post, "api/keys", json, 201);

    /// <summary>What <c>GET /api/logs/{id}</c> answers for call <paramref name="requestId"/>, once its log row is stored.</summary>
    public async Task<JsonElement> LoggedCallAsync(string requestId)
    {
        JsonElement view = default;
        await Eventually.UntilAsync(async () =>
        {
            using var found = await SendAsync(HttpMethod.Get, $"api/logs/{requestId}");
            if (found.StatusCode != System.Net.HttpStatusCode.OK)
            {
                return false;
            }

            view = JsonDocument.Parse(await found.Content.ReadAsStringAsync()).RootElement.Clone();
            return view.GetProperty("row").ValueKind == JsonValueKind.Object;
        }, "the call's log row");
        return view;
    }

    /// <summary>The audit entries <c>GET /api/audit</c><paramref name="query"/> answers, newest first.</summary>
    public async Task<List<JsonElement>> AuditAsync(string query = "") =>
        [.. (await GetAsync("api/audit" + query)).GetProperty("entries").EnumerateArray()];
}
