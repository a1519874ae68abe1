using System.Text.Json;
using AiGateway.Transforms.Caching;
using Xunit;

namespace AiGateway.Tests.Caching;

public sealed class RequestFingerprintTests
{
    private const string Base = "{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    [Theory]
    [InlineData("{ \"messages\" : [ {\"content\":\"hi\", \"role\":\"user\"} ], \"temperature\": 5e-1, \"model\": \"gpt-4o-mini\" }")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.50,\"messages\":[{\"role\":\"user\",\"content\":\"\\u0068i\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":50E-2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"user\":\"u-42\"}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream_options\":{\"include_usage\":true}}")]
    public void Compute_EqualJsonWrittenDifferently_SameFingerprint(string body)
    {
        Assert.Equal(Fingerprint(Base), Fingerprint(body));
    }

    [Theory]
    [InlineData("{\"model\":\"gpt-4o\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.6,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi!\"}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"seed\":1}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":0.5,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}")]
    [InlineData("{\"model\":\"gpt-4o-mini\",\"temperature\":\"0.5\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")]
    public void Compute_SemanticallyDifferentBody_DifferentFingerprint(string body)
    {
        Assert.NotEqual(Fingerprint(Base), Fingerprint(body));
    }

    [Fact]
    public void Compute_IntegersBeyondDoublePrecision_StayDistinct()
    {
        Assert.NotEqual(Fingerprint("{\"seed\":9007199254740993}"), Fingerprint("{\"seed\":9007199254740992}"));
        Assert.Equal(Fingerprint("{\"seed\":9007199254740993}"), Fingerprint("{\"seed\":9007199254740993.000}"));
    }

    [Fact]
    public void Compute_UserInsideNestedObject_NotIgnored()
    {
        Assert.NotEqual(Fingerprint("{\"metadata\":{\"user\":\"a\"}}"), Fingerprint("{\"metadata\":{\"user\":\"b\"}}"));
    }

    [Fact]
    public void Compute_OtherOrgOrEndpoint_DifferentFingerprint()
    {
        using var json = JsonDocument.Parse(Base);
        var a = RequestFingerprint.Compute("org:a", "/v1/chat/completions", json.RootElement, ["user"]);
        Assert.NotEqual(a, RequestFingerprint.Compute("org:b", "/v1/chat/completions", json.RootElement, ["user"]));
        Assert.NotEqual(a, RequestFingerprint.Compute("org:a", "/v1/completions", json.RootElement, ["user"]));
        Assert.Matches("^[0-9a-f]{64}$", a);
    }

    [Fact]
    public void Scope_SharedRoute_IndependentOfOrg()
    {
        Assert.Equal(RequestFingerprint.Scope("a", "faq", sharedAcrossOrgs: true), RequestFingerprint.Scope("b", "faq", sharedAcrossOrgs: true));
        Assert.NotEqual(RequestFingerprint.Scope("a", "faq", sharedAcrossOrgs: false), RequestFingerprint.Scope("b", "faq", sharedAcrossOrgs: false));
    }

    [Theory]
    [InlineData("org-1", null, false)]
    [InlineData("org-1", "faq", true)]
    public void Compute_ScopeAsPartsOrAsText_SameFingerprint(string org, string? route, bool shared)
    {
        // The gateway passes the parts; tests and the documented key format use the text.
        using var json = JsonDocument.Parse(Base);
        Assert.Equal(
            RequestFingerprint.Compute(RequestFingerprint.Scope(org, route, shared), "/v1/chat/completions", json.RootElement, ["user"]),
            RequestFingerprint.Compute(RequestFingerprint.ScopeParts(org, route, shared), "/v1/chat/completions", json.RootElement, ["user"]));
        Assert.Equal(shared ? "shared:faq" : "org:org-1", RequestFingerprint.Scope(org, route, shared));
    }

    private static string Fingerprint(string body)
    {
        using var json = JsonDocument.Parse(body);
        return RequestFingerprint.Compute("org:test", "/v1/chat/completions", json.RootElement, ["user"]);
    }
}
