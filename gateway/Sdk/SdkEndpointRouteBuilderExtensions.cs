namespace AiGateway.Sdk;

/// <summary>Maps the JavaScript stream client: <c>GET /sdk/aigw-stream.js</c> and <c>GET /sdk/aigw-stream.d.ts</c> (CONTRACT §10.6).</summary>
public static class SdkEndpointRouteBuilderExtensions
{
    /// <summary>The path of the ES module.</summary>
    public const string ModulePath = "/sdk/aigw-stream.js";

    /// <summary>The path of its type declarations.</summary>
    public const string TypesPath = "/sdk/aigw-stream.d.ts";

    /// <summary>Maps the module and its types; no key is needed, they hold no data (pages on other origins load them under <c>Gateway:Cors</c>).</summary>
    public static IEndpointRouteBuilder MapSdk(this IEndpointRouteBuilder endpoints)
    {
        var module = SdkFile.Load("aigw-stream.js", "text/javascript; charset=utf-8");
        var types = SdkFile.Load("aigw-stream.d.ts", "application/typescript; charset=utf-8");
        endpoints.MapGet(ModulePath, (HttpContext http) =>
        {
            // Deno (and tools that follow it) read the module's types from this header.
            http.Response.Headers["X-TypeScript-Types"] = TypesPath;
            return module.ToResult(http);
        });
        endpoints.MapGet(TypesPath, (HttpContext http) => types.ToResult(http));
        return endpoints;
    }
}
