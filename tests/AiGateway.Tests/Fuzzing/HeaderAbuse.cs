using System.Text;
using CsCheck;

namespace AiGateway.Tests.Fuzzing;

/// <summary>
/// Generators of abusive request headers: long or garbage <c>Authorization</c>, every <c>x-aigw-*</c> header the
/// gateway reads with garbage or huge values, <c>Last-Event-ID</c> garbage, <c>Host</c>, encodings and the OpenAI
/// account headers. Values may hold any Latin-1 character except CR, LF and NUL (HttpClient refuses to send those and
/// Kestrel refuses to read them); the client that sends these encodes headers as Latin-1 bytes.
/// </summary>
internal static class HeaderAbuse
{
    private static readonly string[] Names =
    [
        "Authorization", "x-aigw-customer", "x-aigw-route", "x-aigw-cache", "x-aigw-cache-ttl", "x-aigw-mode", "x-aigw-log",
        "x-aigw-fallback", "x-aigw-resume-attempt", "x-aigw-dedupe", "x-aigw-model", "x-aigw-org", "x-aigw-request-id",
        "Last-Event-ID", "OpenAI-Organization", "OpenAI-Project", "OpenAI-Beta", "Accept", "Accept-Encoding", "Content-Encoding",
        "X-Forwarded-For", "X-Forwarded-Host", "Forwarded", "Host", "Origin", "Cache-Control", "Idempotency-Key", "Cookie", "Range",
        "If-None-Match", "x-stainless-retry-count", "x-stainless-timeout", "Access-Control-Request-Method", "Content-Language",
    ];

    private static readonly Gen<string> Ascii = Gen.String[Gen.Char[(char)0x21, (char)0x7e], 0, 40];

    private static readonly Gen<string> Latin1 = Gen.String[Gen.Char[(char)0x01, (char)0xff].Where(c => c is not ('\r' or '\n')), 0, 40];

    // UTF-8 bytes written as the Latin-1 characters of the same values, so the Latin-1 client sends them unchanged:
    // Kestrel reads valid UTF-8 into the value (non-ASCII text reaches the gateway) and refuses invalid UTF-8.
    private static readonly Gen<string> Utf8 = Gen.String[Gen.Char[(char)0x80, (char)0xffff], 1, 20]
        .Select(text => Encoding.Latin1.GetString(Encoding.UTF8.GetBytes(text)));

    private static readonly Gen<string> Controls = Gen.String[Gen.OneOf('\x01', '\x08', '\t', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f', ' ', 'a'), 1, 10];

    private static readonly Gen<string> Numberish = Gen.OneOf(
        "", " ", "0", "-1", "1", "2147483647", "2147483648", "-2147483648", "99999999999999999999", "1e9", "NaN", "0x10", "1.5", "+5", "٣", "true", "off", "on");

    /// <summary>Any header value: short, huge, Latin-1, control characters, number-like.</summary>
    public static readonly Gen<string> Value = Gen.Frequency(
        (3, Ascii), (2, Latin1), (2, Utf8), (1, Controls), (2, Numberish),
        (1, Gen.Select(Gen.Int[100, 20000], Gen.Char['a', 'z'], (n, c) => new string(c, n))),
        (1, Gen.Int[1, 3000].Select(n => string.Concat(Enumerable.Repeat("é", n)))),
        (1, Gen.String[Gen.Char[(char)0x100, (char)0x7ff], 1, 20]));

    private static readonly Gen<string> Authorization = Gen.Frequency(
        (3, Value.Select(v => "Bearer " + v)),
        (1, Gen.OneOf("Bearer", "Bearer ", "bearer x", "BEARER aigw_x", "Basic Zm9vOmJhcg==", "Token abc", "Bearer a b c", "Bearer\tx", "Bearer  aigw_", "Bearer ,", "Negotiate")),
        (1, Gen.Int[4000, 9000].Select(n => "Bearer sk-" + new string('k', n))),
        (1, Gen.String[Gen.Char["0123456789abcdef"], 0, 80].Select(v => "Bearer aigw_" + v)),
        (1, Value));

    private static readonly Gen<string> LastEventId = Gen.Frequency(
        (3, Gen.OneOf(
            "x:2147483647", "x:2147483648", "x:-1", "x:0", ":", "::", ":::5", "abc:99999999999999999999", "a:1e3", "a: 1", "1", "-1",
            "req_0123:1", "chatcmpl-x:3", "%00:1", "a:b:c", "é:1", "", " ")),
        (1, Gen.Select(Ascii, Gen.Long, (id, n) => id + ":" + n.ToString(System.Globalization.CultureInfo.InvariantCulture))),
        (1, Value));

    private static readonly Gen<string> Host = Gen.Frequency(
        (2, Gen.OneOf("evil.example", "localhost", "127.0.0.1", "[::1]", "127.0.0.1:1", "localhost.evil.example", "0", "[::1", "a b", "", "%00", "xn--", ".", "127.1")),
        (1, Value));

    /// <summary>One header: a name the gateway or the proxy reads (or a made-up one) and an abusive value for it.</summary>
    public static readonly Gen<KeyValuePair<string, string>> Header = Gen.Frequency(
        (6, Gen.OneOf(Names).SelectMany(name => ValueFor(name).Select(value => KeyValuePair.Create(name, value)))),
        (1, Gen.Select(Gen.String[Gen.Char["abcdefghijklmnopqrstuvwxyz-0123456789"], 1, 30], Value, (name, value) => KeyValuePair.Create("x-" + name, value))),
        (1, Gen.Select(Gen.Int[1, 3000], Value, (n, value) => KeyValuePair.Create("x-aigw-" + new string('h', n), value))));

    /// <summary>Zero to four abusive headers, mostly none so that bodies meet the endpoints.</summary>
    public static readonly Gen<IReadOnlyList<KeyValuePair<string, string>>> Headers = Gen.Frequency(
        (2, Gen.Const<IReadOnlyList<KeyValuePair<string, string>>>([])),
        (3, Header.Array[1, 4].Select(h => (IReadOnlyList<KeyValuePair<string, string>>)h)));

    /// <summary>Content-Type values, true and lying.</summary>
    public static readonly Gen<string?> ContentType = Gen.Frequency(
        (8, Gen.Const<string?>("application/json")),
        (2, Gen.OneOf<string?>(
            null, "text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json; charset=utf-16",
            "application/json; charset=latin1", "application/json; charset=\"ÿ\"", "application/json;;;=", "a/b/c", "", "*/*",
            "application/xml", "application/json; boundary=\"", "text/event-stream")),
        (1, Value.Select(v => (string?)v)));

    private static Gen<string> ValueFor(string name) => name switch
    {
        "Authorization" => Authorization,
        "Last-Event-ID" => LastEventId,
        "Host" or "X-Forwarded-Host" => Host,
        // Plausible values as well as garbage, so that a call gets past the header's own check into what it drives.
        "x-aigw-mode" => Gen.Frequency((2, Gen.OneOf("cheap", "smart", "auto", "CHEAP")), (1, Value)),
        "x-aigw-customer" => Gen.Frequency((2, Gen.OneOf("cust-1", "c", "a.b_c:d-e", new string('c', 64), new string('c', 65))), (1, Value)),
        "x-aigw-cache-ttl" => Gen.Frequency((2, Gen.OneOf("0", "1", "60", "31536000", "31536001")), (1, Value)),
        "x-aigw-route" => Gen.Frequency((2, Gen.OneOf("chat", "search.v2", "r:1", new string('r', 256))), (1, Value)),
        "x-aigw-log" or "x-aigw-dedupe" => Gen.Frequency((2, Gen.OneOf("off", "on", "OFF", "full", "metadata")), (1, Value)),
        "x-aigw-fallback" => Gen.Frequency((2, Gen.OneOf("non-stream", "stream")), (1, Value)),
        "Cache-Control" => Gen.Frequency((2, Gen.OneOf("no-cache", "no-store", "max-age=0", "no-cache, no-store", "private")), (1, Value)),
        "Content-Encoding" or "Accept-Encoding" => Gen.Frequency((2, Gen.OneOf("gzip", "br", "deflate", "zstd", "identity", "gzip, br", "x-garbage", "gzip;q=NaN", "*")), (1, Value)),
        _ => Value,
    };
}
