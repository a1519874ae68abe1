using System.Net.Http.Headers;
using AiGateway.Admin;
using AiGateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockOpenAi;
using Xunit;

namespace AiGateway.Tests.Admin;

/// <summary>The operator API's door: the bearer scheme in any case, the Host rule without a key (DNS rebinding), quiet refusals.</summary>
public sealed class AdminAuthorizationFilterTests
{
    [Theory]
    [InlineData("Bearer k", "k")]
    [InlineData("bearer k", "k")]
    [InlineData("BEARER k", "k")]
    [InlineData("Basic k", null)]
    [InlineData("Bearerk", null)]
    [InlineData("Bearer", null)]
    [InlineData("", null)]
    public void BearerCredentials_SchemeInAnyCase_TheCredentials(string authorization, string? expected)
    {
        Assert.Equal(expected, AdminAuthorizationFilter.BearerCredentials(authorization));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("LOCALHOST:8080", true)]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]:8080", true)]
    [InlineData("[::1]", true)]
    [InlineData("evil.example", false)]
    [InlineData("localhost.evil.example:8080", false)]
    [InlineData("192.0.2.7:8080", false)]
    [InlineData("", false)]
    public void IsLoopbackHost_Names_LoopbackOnly(string host, bool expected)
    {
        Assert.Equal(expected, AdminAuthorizationFilter.IsLoopbackHost(new HostString(host)));
    }

    [Fact]
    public async Task AdminKey_LowercaseBearerScheme_Answered()
    {
        await using var setup = await KeyCalls.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "api/keys");
        request.Headers.TryAddWithoutValidation("Authorization", "bearer " + AdminClient.AdminKey);

        using var response = await setup.Gateway.Client.SendAsync(request);

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Theory]
    [InlineData("evil.example", 403)]
    [InlineData("evil.example:8080", 403)]
    [InlineData("localhost:8080", 200)]
    [InlineData("[::1]:8080", 200)]
    [InlineData("127.0.0.1", 200)]
    public async Task NoAdminKey_HostHeader_LoopbackNamesOnly(string host, int status)
    {
        await using var upstream = await MockOpenAiServer.StartAsync();
        await using var gateway = await TestGateway.StartAsync(upstream.BaseAddress);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/orgs/acme/settings"), (HttpMethod.Get, "metrics"), (HttpMethod.Delete, "api/cache?org=acme") })
        {
            var request = new HttpRequestMessage(method, path);
            // A DNS-rebinding page calls from the operator's own browser, so from loopback, under its own domain name.
            request.Headers.Host = host;
            using var response = await gateway.Client.SendAsync(request);

            if (status == 403)
            {
                await OpenAiErrorAssert.IsErrorAsync(response, 403, "host_not_allowed");
            }
            else
            {
                Assert.True((int)response.StatusCode == status, $"{method} {path} with Host {host}: {(int)response.StatusCode}");
            }
        }
    }

    [Fact]
    public async Task RefusedCalls_OneDebugLineEachAndNoException()
    {
        await using var setup = await KeyCalls.StartAsync(settings: s =>
        {
            foreach (var category in new[] { "Default", "Microsoft.AspNetCore", "Microsoft.AspNetCore.Hosting.Diagnostics" })
            {
                s[$"Logging:LogLevel:{category}"] = "Trace";
            }

            s["Logging:Console:LogLevel:Default"] = "None";
        });
        using var logs = new LogCapture();
        setup.Gateway.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var anonymous = new AdminClient(setup.Gateway, null);
        var wrong = new AdminClient(setup.Gateway, "not-the-key");

        using (var a = await anonymous.SendAsync(HttpMethod.Get, "api/keys"))
        using (var b = await wrong.SendAsync(HttpMethod.Put, "api/orgs/acme/settings", """{"rpm_limit":5}"""))
        using (var c = await setup.ReadOnly.SendAsync(HttpMethod.Delete, "api/cache?org=acme"))
        using (var d = await anonymous.SendAsync(HttpMethod.Get, "metrics"))
        {
            await OpenAiErrorAssert.IsErrorAsync(a, 401, "invalid_admin_key");
            await OpenAiErrorAssert.IsErrorAsync(b, 401, "invalid_admin_key");
            await OpenAiErrorAssert.IsErrorAsync(c, 403, "admin_key_read_only");
            await OpenAiErrorAssert.IsErrorAsync(d, 401, "invalid_admin_key");
        }

        var lines = logs.Lines.ToList();
        Assert.Equal(4, lines.Count(l => l.StartsWith("Debug ", StringComparison.Ordinal) && l.Contains("Operator call refused", StringComparison.Ordinal)));
        Assert.DoesNotContain(lines, l => l.Contains("Exception", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal) || l.StartsWith("Critical ", StringComparison.Ordinal));
    }
}
