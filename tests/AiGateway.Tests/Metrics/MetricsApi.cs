using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Metrics;

/// <summary>Calls the metrics API of a test gateway and reads its JSON.</summary>
internal static class MetricsApi
{
    /// <summary>The admin key the metrics tests configure.</summary>
    public const string AdminKey = "test-admin-key";

    /// <summary>The gateway settings for a metrics test on Postgres (<paramref name="postgres"/>) or the embedded store (null).</summary>
    public static Dictionary<string, string> Settings(string? postgres)
    {
        var settings = new Dictionary<string, string> { ["Gateway:Admin:Key"] = AdminKey, ["Gateway:Log:FlushIntervalMs"] = "50" };
        if (postgres is not null)
        {
            settings["ConnectionStrings:Postgres"] = postgres;
        }

        return settings;
    }

    /// <summary>The query string of the filters, with times in ISO-8601 UTC.</summary>
    public static string Query(string? org = null, string? route = null, string? model = null, DateTimeOffset? from = null, DateTimeOffset? to = null, string? bucket = null)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add(name + "=" + Uri.EscapeDataString(value));
            }
        }

        Add("org", org);
        Add("route", route);
        Add("model", model);
        Add("from", from?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Add("to", to?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        Add("bucket", bucket);
        return parts.Count == 0 ? "" : "?" + string.Join("&", parts);
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> with the admin key and returns the JSON body, asserting 200.</summary>
    public static async Task<JsonElement> GetAsync(TestGateway gateway, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, pathAndQuery.TrimStart('/'));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        using var response = await gateway.Client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{pathAndQuery}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>A nullable number of the JSON.</summary>
    public static double? Double(JsonElement element, string name)
        => element.GetProperty(name).ValueKind == JsonValueKind.Null ? null : element.GetProperty(name).GetDouble();

    /// <summary>Asserts two nullable percentiles are equal up to floating-point noise.</summary>
    public static void AssertClose(double? expected, double? actual, string what)
    {
        Assert.True(expected is null == actual is null, $"{what}: expected {expected?.ToString() ?? "null"}, got {actual?.ToString() ?? "null"}");
        if (expected is { } e && actual is { } a)
        {
            Assert.True(Math.Abs(e - a) <= 1e-9 * Math.Max(1, Math.Abs(e)), $"{what}: expected {e}, got {a}");
        }
    }
}
