using System.Text;

namespace AiGateway.Tests.Fuzzing;

/// <summary>One generated request: its method, raw path and query, headers (any value), body bytes and content type.</summary>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query, percent-encoded as sent.</param>
/// <param name="Headers">Extra request headers, sent without validation.</param>
/// <param name="Body">The body's bytes; null sends none.</param>
/// <param name="ContentType">The Content-Type header as sent (any text); null sends none.</param>
/// <param name="WithKey">Whether the caller's valid key is sent (as well as any Authorization in <paramref name="Headers"/>).</param>
internal sealed record FuzzRequest(string Method, string Path, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body, string? ContentType, bool WithKey)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly string[] ContentHeaders = ["Content-Encoding", "Content-Language", "Content-Location", "Content-MD5", "Content-Range", "Content-Disposition", "Expires", "Last-Modified", "Allow"];

    /// <summary>The request to the gateway at <paramref name="gateway"/> as HttpClient sends it, with <paramref name="key"/> as bearer when <see cref="WithKey"/>.</summary>
    public HttpRequestMessage ToMessage(Uri gateway, string? key)
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(gateway, Path.TrimStart('/')));
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            message.Content.Headers.ContentType = null;
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }

        if (WithKey && key is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        }

        foreach (var (name, value) in Headers)
        {
            if (ContentHeaders.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                message.Content ??= new ByteArrayContent([]);
                message.Content.Headers.TryAddWithoutValidation(name, value);
            }
            else
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
        }

        return message;
    }

    /// <summary>
    /// Whether Kestrel itself refuses the request before the gateway sees it: a request line or header section past what
    /// it reads (8 KB and 32 KB by default), or a header value whose bytes are not UTF-8.
    /// </summary>
    public bool KestrelRefuses =>
        Path.Length + Method.Length > 8 * 1024 - 64
        || Headers.Sum(h => h.Key.Length + h.Value.Length + 4) + (ContentType?.Length ?? 0) > 32 * 1024 - 512
        || Headers.Select(h => h.Value).Append(ContentType ?? "").Any(value => !IsUtf8(Encoding.Latin1.GetBytes(value)));

    /// <summary>A readable account of the request for a failure message: long values cut, bytes outside printable ASCII escaped.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Method).Append(' ').Append(Cut(Path, 300)).Append(WithKey ? " (with the valid key)" : " (no valid key)").AppendLine();
        if (ContentType is not null)
        {
            text.Append("Content-Type: ").AppendLine(Cut(ContentType, 200));
        }

        foreach (var (name, value) in Headers)
        {
            text.Append(name).Append(": ").AppendLine(Cut(value, 200));
        }

        if (Body is not null)
        {
            text.Append("body (").Append(Body.Length).Append(" bytes): ");
            foreach (var b in Body.AsSpan(0, Math.Min(Body.Length, 800)))
            {
                if (b is >= 0x20 and < 0x7f)
                {
                    text.Append((char)b);
                }
                else
                {
                    text.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            if (Body.Length > 800)
            {
                text.Append("…");
            }
        }

        return text.ToString();
    }

    private static bool IsUtf8(byte[] bytes)
    {
        try
        {
            _ = StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string Cut(string value, int max)
    {
        var escaped = new StringBuilder();
        foreach (var c in value.Length > max ? value[..max] : value)
        {
            escaped.Append(c is >= ' ' and < '\x7f' ? c.ToString() : $"\\u{(int)c:X4}");
        }

        return value.Length > max ? $"{escaped}… ({value.Length} chars)" : escaped.ToString();
    }
}
