namespace AiGateway.Dashboards;

/// <summary>A file of the dashboards embedded in the gateway (no internet needed at run time), read once.</summary>
internal sealed class DashboardAsset
{
    private DashboardAsset(string name, string contentType, byte[] content)
    {
        Name = name;
        ContentType = contentType;
        Content = content;
    }

    /// <summary>The file name, e.g. <c>dashboard.js</c>.</summary>
    public string Name { get; }

    /// <summary>The response content type.</summary>
    public string ContentType { get; }

    /// <summary>The file's bytes.</summary>
    public byte[] Content { get; }

    /// <summary>Loads the embedded file <paramref name="name"/> (resource <c>AiGateway.Dashboards.{name}</c>).</summary>
    public static DashboardAsset Load(string name)
    {
        using var stream = typeof(DashboardAsset).Assembly.GetManifestResourceStream("AiGateway.Dashboards." + name)
            ?? throw new InvalidOperationException($"The dashboard file {name} is not embedded in the gateway.");
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        var contentType = Path.GetExtension(name) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            _ => "application/octet-stream",
        };
        return new DashboardAsset(name, contentType, buffer.ToArray());
    }

    /// <summary>The file as the response, with headers that keep the page to the gateway's own scripts and API.</summary>
    public IResult ToResult(HttpContext http)
    {
        var headers = http.Response.Headers;
        headers.CacheControl = "no-cache";
        headers.XContentTypeOptions = "nosniff";
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return Results.Bytes(Content, ContentType);
    }
}
