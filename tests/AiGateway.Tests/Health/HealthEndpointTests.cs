using System.Net;
using AiGateway.Tests.Infrastructure;
using Xunit;

namespace AiGateway.Tests.Health;

/// <summary>
/// <c>/healthz</c> (the process is alive) and <c>/readyz</c> (configured Redis and Postgres connected), CONTRACT §8:
/// with a Redis or a Postgres of the test's own that it stops and starts again. Neither needs the admin key.
/// </summary>
public sealed class HealthEndpointTests
{
    private static readonly Dictionary<string, string> AdminKey = new() { ["Gateway:Admin:Key"] = "health-test-admin" };

    [Fact]
    public async Task Get_NoRedisNoPostgresConfigured_BothAnswer200WithoutKey()
    {
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"), AdminKey);

        using var alive = await gateway.Client.GetAsync("healthz");
        using var ready = await gateway.Client.GetAsync("readyz");

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    [Fact]
    public async Task Get_RedisDownThenBack_ReadyzNot200WhileDownHealthzAlways200()
    {
        using var redis = await OwnedRedisServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"),
            new Dictionary<string, string>(AdminKey) { ["ConnectionStrings:Redis"] = redis.ConnectionString });
        await UntilAsync(gateway, "readyz", HttpStatusCode.OK);

        redis.Kill();
        await UntilAsync(gateway, "readyz", HttpStatusCode.ServiceUnavailable);
        await AssertStatusAsync(gateway, "healthz", HttpStatusCode.OK);

        await redis.RestartAsync();
        await UntilAsync(gateway, "readyz", HttpStatusCode.OK);
        await AssertStatusAsync(gateway, "healthz", HttpStatusCode.OK);
    }

    [Fact]
    public async Task Get_PostgresDownThenBack_ReadyzNot200WhileDownHealthzAlways200()
    {
        await using var postgres = await OwnedPostgresServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(new Uri("http://127.0.0.1:9/"),
            new Dictionary<string, string>(AdminKey) { ["ConnectionStrings:Postgres"] = postgres.ConnectionString });
        await UntilAsync(gateway, "readyz", HttpStatusCode.OK);

        await postgres.StopAsync();
        await UntilAsync(gateway, "readyz", HttpStatusCode.ServiceUnavailable);
        await AssertStatusAsync(gateway, "healthz", HttpStatusCode.OK);

        await postgres.RestartAsync();
        await UntilAsync(gateway, "readyz", HttpStatusCode.OK);
        await AssertStatusAsync(gateway, "healthz", HttpStatusCode.OK);
    }

    // The checks see a dependency go and come back on their next probe: poll (bounded) for the status.
    private static Task UntilAsync(TestGateway gateway, string path, HttpStatusCode expected)
        => Eventually.UntilAsync(async () =>
        {
            using var response = await gateway.Client.GetAsync(path);
            return response.StatusCode == expected;
        }, $"/{path} answers {(int)expected}");

    private static async Task AssertStatusAsync(TestGateway gateway, string path, HttpStatusCode expected)
    {
        using var response = await gateway.Client.GetAsync(path);
        Assert.Equal(expected, response.StatusCode);
    }
}
