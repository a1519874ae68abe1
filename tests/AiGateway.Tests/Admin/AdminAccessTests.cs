using AiGateway.Admin;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>
/// Which admin key each operator route takes (CONTRACT §10.3), checked over every route the gateway maps, so that a route
/// added later cannot forget to declare it: the read-only key reads, and every change needs the full key.
/// </summary>
public sealed class AdminAccessTests
{
    // Values for the route parameters; {id} is a key the test issues.
    private static readonly Dictionary<string, string> RouteValues = new() { ["org"] = "acme", ["customer"] = "cust-1" };

    // Routes under /api that answer the app's own key about its own calls (InflightApiTests), not an operator's.
    private static readonly HashSet<(string Method, string Pattern)> AppKeyRoutes = [("GET", "/api/inflight/{id}"), ("POST", "/api/inflight/{id}/release")];

    [Fact]
    public async Task EveryOperatorRoute_DeclaresItsAccess_AndNoneButAGetIsARead()
    {
        await using var setup = await KeyCalls.StartAsync();

        var routes = OperatorRoutes(setup.Gateway);

        // The enumeration itself must find the routes, or this test would prove nothing.
        Assert.Contains(routes, r => r is { Method: "POST", Pattern: "/api/keys" });
        Assert.Contains(routes, r => r is { Method: "GET", Pattern: "/metrics" });
        Assert.Contains(routes, r => r is { Method: "DELETE", Pattern: "/api/cache" });
        Assert.All(routes, r => Assert.True(r.Access is not null, $"{r.Method} {r.Pattern} declares no admin access (AdminRead or AdminChange)."));
        Assert.All(routes.Where(r => r.Method is not ("GET" or "HEAD")), r => Assert.True(r.Access == AdminAccess.Change, $"{r.Method} {r.Pattern} changes something but is declared a read."));
    }

    [Fact]
    public async Task ReadOnlyKey_EveryChangeRoute_403AdminKeyReadOnlyAndNothingChanges()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (secret, id, _) = await setup.CreateKeyAsync();
        var before = await StateAsync(setup, id);
        var changes = OperatorRoutes(setup.Gateway).Where(r => r.Access == AdminAccess.Change).ToList();
        Assert.Contains(changes, r => r.Pattern == "/api/keys/{id}/rotate");

        foreach (var route in changes)
        {
            var path = Path(route.Pattern, id) + (route.Pattern == "/api/cache" ? "?org=acme" : "");
            using var readOnly = await setup.ReadOnly.SendAsync(new HttpMethod(route.Method), path, BodyOf(route));
            using var anonymous = await new AdminClient(setup.Gateway, null).SendAsync(new HttpMethod(route.Method), path, BodyOf(route));
            using var wrong = await new AdminClient(setup.Gateway, "not-an-admin-key").SendAsync(new HttpMethod(route.Method), path, BodyOf(route));

            await OpenAiErrorAssert.IsErrorAsync(readOnly, 403, "admin_key_read_only");
            await OpenAiErrorAssert.IsErrorAsync(anonymous, 401, "invalid_admin_key");
            await OpenAiErrorAssert.IsErrorAsync(wrong, 401, "invalid_admin_key");
        }

        Assert.Equal(before, await StateAsync(setup, id));
        Assert.Equal(200, await setup.StatusAsync(secret));
    }

    [Fact]
    public async Task ReadOnlyKey_EveryReadRoute_Answered()
    {
        await using var setup = await KeyCalls.StartAsync();
        var (_, id, _) = await setup.CreateKeyAsync();
        var reads = OperatorRoutes(setup.Gateway).Where(r => r.Access == AdminAccess.Read).ToList();
        Assert.Contains(reads, r => r.Pattern == "/api/audit");

        foreach (var route in reads)
        {
            using var readOnly = await setup.ReadOnly.SendAsync(new HttpMethod(route.Method), Path(route.Pattern, id));
            using var full = await setup.Admin.SendAsync(new HttpMethod(route.Method), Path(route.Pattern, id));

            Assert.True((int)readOnly.StatusCode == 200, $"{route.Method} {route.Pattern} with the read-only key: {(int)readOnly.StatusCode} {await readOnly.Content.ReadAsStringAsync()}");
            Assert.Equal(200, (int)full.StatusCode);
        }
    }

    [Theory]
    [InlineData("", "read-only-key")]
    [InlineData("admin-key", "admin-key")]
    public async Task Start_ReadOnlyKeyWithoutOrSameAsTheAdminKey_Refused(string adminKey, string readOnlyKey)
    {
        var settings = new Dictionary<string, string> { ["Gateway:Admin:Key"] = adminKey, ["Gateway:Admin:ReadOnlyKey"] = readOnlyKey };

        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestGateway.StartAsync(new Uri("http://127.0.0.1:9"), settings));

        Assert.Contains("Gateway:Admin:ReadOnlyKey", error.ToString());
    }

    /// <summary>Every route under <c>/api</c>, <c>/metrics</c> and <c>/dev</c>, one per method, with the access it declares.</summary>
    private static List<(string Method, string Pattern, AdminAccess? Access)> OperatorRoutes(TestGateway gateway) =>
        [.. gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Pattern: "/" + e.RoutePattern.RawText!.TrimStart('/')))
            .Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) || e.Pattern is "/api" or "/metrics" || e.Pattern.StartsWith("/dev/", StringComparison.Ordinal))
            .SelectMany(e => (e.Endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => (method, e.Pattern, e.Endpoint.Metadata.GetMetadata<AdminEndpointMetadata>()?.Access)))
            .Where(r => !AppKeyRoutes.Contains((r.method, r.Pattern)))];

    private static string Path(string pattern, string keyId) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{(\w+)\}", m => m.Groups[1].Value == "id" ? keyId : RouteValues.GetValueOrDefault(m.Groups[1].Value, "x")).TrimStart('/');

    // A body each change would accept from the full key, so that only the key decides the refusal.
    private static string? BodyOf((string Method, string Pattern, AdminAccess? Access) route) => route switch
    {
        { Pattern: "/api/keys", Method: "POST" } => """{"org":"acme","name":"read-only-try"}""",
        { Pattern: "/api/keys/{id}/rotate" } => """{"overlap_seconds":60}""",
        { Method: "PUT" or "PATCH" } => """{"rpm_limit":5}""",
        _ => null,
    };

    // What any change would alter: the keys, the settings, the audit log.
    private static async Task<string> StateAsync(KeyCalls setup, string keyId) => string.Join("\n",
        (await setup.Admin.GetAsync("api/keys")).GetRawText(),
        (await setup.Admin.GetAsync($"api/keys/{keyId}")).GetRawText(),
        (await setup.Admin.GetAsync("api/orgs/acme/settings")).GetRawText(),
        (await setup.Admin.GetAsync("api/orgs/acme/customers/cust-1/settings")).GetRawText(),
        (await setup.Admin.GetAsync("api/audit")).GetRawText());
}
