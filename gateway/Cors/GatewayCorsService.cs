using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace AiGateway.Cors;

/// <summary>
/// ASP.NET Core's CORS evaluation, except that the CORS headers a proxied response brought from the upstream are dropped
/// before the gateway's own are applied: an upstream that admits browser calls from any origin (as OpenAI's API does, for
/// its SDK's browser mode) would otherwise admit every origin to the gateway too, whatever <c>Gateway:Cors:Origins</c> says.
/// </summary>
internal sealed class GatewayCorsService(IOptions<CorsOptions> options, ILoggerFactory loggerFactory) : CorsService(options, loggerFactory)
{
    /// <inheritdoc/>
    public override void ApplyResult(CorsResult result, HttpResponse response)
    {
        var headers = response.Headers;
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlAllowOrigin);
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlAllowCredentials);
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlAllowHeaders);
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlAllowMethods);
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlExposeHeaders);
        headers.Remove(Microsoft.Net.Http.Headers.HeaderNames.AccessControlMaxAge);
        base.ApplyResult(result, response);
    }
}
