using CsCheck;

namespace AiGateway.Tests.Fuzzing;

/// <summary>Whole generated requests for each surface: the four understood endpoints, other <c>/v1/</c> paths, the admin API and the operator routes.</summary>
internal static class FuzzInputs
{
    /// <summary>The admin routes (<c>gateway/Admin</c>, <c>gateway/Costs</c>, <c>gateway/Inflight</c>, <c>gateway/Metrics</c>), with whether each reads a JSON body.</summary>
    public static readonly (string Method, string Template, bool Body)[] AdminRoutes =
    [
        ("DELETE", "/api/cache", false),
        ("GET", "/api/audit", false),
        ("GET", "/api/costs.csv", false),
        ("GET", "/api/inflight", false),
        ("GET", "/api/inflight/{id}", false),
        ("DELETE", "/api/inflight/{id}", false),
        ("POST", "/api/inflight/{id}/release", true),
        ("GET", "/api/keys", false),
        ("POST", "/api/keys", true),
        ("GET", "/api/keys/{id}", false),
        ("GET", "/api/keys/{id}/budget", false),
        ("PATCH", "/api/keys/{id}", true),
        ("DELETE", "/api/keys/{id}", false),
        ("POST", "/api/keys/{id}/rotate", true),
        ("GET", "/api/logs", false),
        ("DELETE", "/api/logs", false),
        ("GET", "/api/logs/{id}", false),
        ("GET", "/api/metrics/ai-performance", false),
        ("GET", "/api/metrics/ai-performance/timeseries", false),
        ("GET", "/api/orgs/{org}/budget", false),
        ("GET", "/api/orgs/{org}/settings", false),
        ("PUT", "/api/orgs/{org}/settings", true),
        ("GET", "/api/orgs/{org}/customers/{customer}/settings", false),
        ("PUT", "/api/orgs/{org}/customers/{customer}/settings", true),
        ("GET", "/api/orgs/{org}/customers/{customer}/budget", false),
    ];

    /// <summary>The operator routes outside <c>/api</c>: health, metrics, dashboards, the client SDK.</summary>
    public static readonly string[] OperatorRoutes =
    [
        "/healthz", "/readyz", "/metrics", "/dev/ai-metrics", "/dev/stream-metrics", "/dev/assets/dashboard.js", "/dev/assets/charts.js",
        "/dev/assets/dashboard.css", "/sdk/aigw-stream.js", "/sdk/aigw-stream.d.ts", "/", "/api", "/api/", "/api/nothing", "/dev/",
    ];

    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND", "get"];

    /// <summary>Path segments: plausible ids, percent-encoded garbage (invalid UTF-8, overlong, surrogates, NUL, dot segments), long and non-ASCII ones.</summary>
    public static readonly Gen<string> Segment = Gen.Frequency(
        (3, Gen.OneOf("resp_abc", "file-abc123", "batch_1", "org-other", "cust-1", "abcdef123456", "chatcmpl-1", "x", "0", "-1")),
        (3, Gen.OneOf("%00", "%ZZ", "%", "%e2%82", "%ed%a0%80", "%c0%af", "%F0%9F%98%80", "%2e%2e", "..", ".", "%2F", "%5C", "%FF", "%25", "%20", "a%0Ab", "%uD800", "%%", "%C3%28")),
        (1, Gen.Int[1, 6000].Select(n => new string('a', n))),
        (1, Gen.String[Gen.Char["abcABC019-_.~!$&'()*+,;=:@"], 1, 30]),
        (1, Gen.OneOf("é", "中文", "😀")));

    private static readonly string[] QueryNames =
        ["org", "customer", "route", "model", "status", "from", "to", "q", "group", "action", "target", "limit", "top", "bucket", "fingerprint", "name", "api-version", ""];

    private static readonly Gen<string> QueryValue = Gen.Frequency(
        (2, Gen.OneOf(
            "", "2026-12-01", "2026-13-45", "2026-12-01T00:00:00Z", "9999999999999", "-1", "0", "1e9", "99999999999999999999", "day", "month", "week",
            "hour", "minute", "year", "org-other", "%00", "%ZZ", "%ed%a0%80", "%FF", "a%26b%3Dc", "NaN", "true", "*", "%2A")),
        (1, Segment),
        (1, Gen.Int[100, 4000].Select(n => new string('q', n))));

    /// <summary>A query string (with its <c>?</c>), often empty, names repeated at will.</summary>
    public static readonly Gen<string> Query = Gen.Frequency(
        (2, Gen.Const("")),
        (3, Gen.Select(Gen.OneOf(QueryNames), QueryValue).Array[1, 5].Select(pairs => "?" + string.Join("&", pairs.Select(p => p.Item1 + "=" + p.Item2)))),
        (1, Gen.OneOf("?", "?&&", "?=", "?a", "?%", "?org=a&org=b", "?from=2026-12-05&to=2026-12-01")));

    /// <summary>Requests to one understood endpoint: mostly POST with a generated body, damaged or not, and abusive headers.</summary>
    public static Gen<FuzzRequest> Ai(string path) => Gen.Select(
        Gen.Frequency((12, Gen.Const("POST")), (1, Gen.OneOf(Methods))),
        Gen.Frequency((8, Gen.Const("")), (1, Query)),
        HeaderAbuse.Headers,
        Encodings.Damage(AiBodies.For(path)),
        HeaderAbuse.ContentType,
        Gen.Frequency((12, Gen.Const(true)), (1, Gen.Const(false))),
        (method, query, headers, body, contentType, withKey) => new FuzzRequest(method, path + query, headers, body, contentType, withKey));

    /// <summary>Requests to <c>/v1/</c> paths the gateway passes through, and near misses of the understood ones.</summary>
    public static readonly Gen<FuzzRequest> Passthrough = Gen.Select(
        Gen.OneOf(Methods),
        Gen.Frequency(
            (3, Gen.OneOf(
                "/v1/models", "/v1/files", "/v1/batches", "/v1/images/generations", "/v1/audio/speech", "/v1/moderations", "/v1/vector_stores",
                "/v1/chat/completions/x", "/v1/responses/x/cancel", "/v1/completions/", "/v1//chat/completions", "/v1/CHAT/COMPLETIONS", "/v1/", "/v1",
                "/v1/embeddings/../chat/completions", "/v1/chat%2Fcompletions")),
            (2, Gen.Select(Gen.OneOf("/v1/models/", "/v1/files/", "/v1/responses/", "/v1/batches/", "/v1/chat/completions/", "/v1/uploads/", "/v1/"), Segment, (a, b) => a + b)),
            (1, Segment.Array[1, 4].Select(s => "/v1/" + string.Join("/", s)))),
        Query,
        HeaderAbuse.Headers,
        Gen.Frequency((2, Gen.Const((byte[]?)null)), (2, Encodings.Damage(JsonEdgeCases.Value).Select(b => (byte[]?)b)), (1, Gen.Int[0, 300_000].Select(n => (byte[]?)new byte[n]))),
        HeaderAbuse.ContentType,
        (method, path, query, headers, body, contentType) => new FuzzRequest(method, path + query, headers, body, body is null ? null : contentType, true));

    /// <summary>Admin calls: every route, garbage ids and queries, JSON bodies from the keys' and settings' fields, right and wrong.</summary>
    public static readonly Gen<FuzzRequest> Admin = Gen.Select(
        Gen.Int[0, AdminRoutes.Length - 1],
        Gen.Frequency((12, Gen.Const(false)), (1, Gen.Const(true))),
        Segment.Array[3],
        Query,
        HeaderAbuse.Headers,
        Encodings.Damage(AdminBody),
        HeaderAbuse.ContentType,
        Gen.Frequency((8, Gen.Const(true)), (1, Gen.Const(false))),
        (route, otherMethod, segments, query, headers, body, contentType, withKey) =>
        {
            var (method, template, hasBody) = AdminRoutes[route];
            var path = template.Replace("{id}", segments[0], StringComparison.Ordinal)
                .Replace("{org}", segments[1], StringComparison.Ordinal)
                .Replace("{customer}", segments[2], StringComparison.Ordinal);
            return new FuzzRequest(otherMethod ? "PATCH" : method, path + query, headers, hasBody || otherMethod ? body : null, contentType, withKey);
        });

    /// <summary>Operator routes with any method, queries, headers and bodies.</summary>
    public static readonly Gen<FuzzRequest> Operator = Gen.Select(
        Gen.OneOf(OperatorRoutes),
        Gen.Frequency((4, Gen.Const("GET")), (1, Gen.OneOf(Methods))),
        Query,
        HeaderAbuse.Headers,
        Gen.Frequency((3, Gen.Const((byte[]?)null)), (1, Encodings.Damage(JsonEdgeCases.Value).Select(b => (byte[]?)b))),
        Gen.Bool,
        (path, method, query, headers, body, withKey) => new FuzzRequest(method, path + query, headers, body, body is null ? null : "application/json", withKey));

    private static Gen<string> AdminBody
    {
        get
        {
            var value = Gen.Frequency(
                (2, Gen.OneOf("\"org-other\"", "\"app\"", "true", "false", "null", "0", "1", "-1", "100", "0.5", "[]", "[\"gpt-4o*\"]", "{}", "{\"a\":\"b\"}", "\"2030-01-01T00:00:00Z\"", "\"2000-01-01\"", "\"cached\"", "\"full\"", "\"off\"", "\"sk\"", "\"OPENAI_KEY\"")),
                (2, JsonEdgeCases.Value));
            var name = Gen.Frequency(
                (5, Gen.OneOf(
                    "org", "name", "models", "expires_at", "monthly_usd_budget", "rpm_limit", "tpm_limit", "max_concurrent", "may_name_customers",
                    "upstream_key_env", "labels", "overlap_seconds", "cache_enabled", "cache_ttl_seconds", "client_mode_override", "customers_allowed",
                    "dedupe_enabled", "hard_budget", "mode_default", "monthly_token_budget", "payload_logging", "id", "key", "status", "customer")),
                (1, Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz_"], 0, 12]));
            var member = Gen.Select(name, value, (n, v) => (JsonEdgeCases.Quote(n), v));
            return Gen.Frequency(
                (8, member.Array[0, 6].Select(JsonEdgeCases.Object)),
                (1, JsonEdgeCases.Value),
                (1, JsonEdgeCases.Deep),
                (1, Gen.OneOf("", "{", "[]", "null", "{\"org\":\"org-other\",\"name\":\"app\"}", "{\"org\":\"\\ud800\",\"name\":\"app\"}", "{\"org\":\"org-other\",\"name\":\"app\",\"org\":\"x\"}")));
        }
    }
}
