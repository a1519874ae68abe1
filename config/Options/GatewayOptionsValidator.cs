using Microsoft.Extensions.Options;

namespace AiGateway.Config;

/// <summary>Checks the whole <c>Gateway</c> section and reports every problem in one message.</summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        var errors = new List<string>();
        Range(errors, "Gateway:MaxRequestBytes", options.MaxRequestBytes, 1024, 1L << 30);
        Range(errors, "Gateway:Auth:KeyCacheSeconds", options.Auth.KeyCacheSeconds, 0, 3600);
        Range(errors, "Gateway:Upstream:FirstByteTimeoutSeconds", options.Upstream.FirstByteTimeoutSeconds, 1, 3600);
        Range(errors, "Gateway:Upstream:TotalTimeoutSeconds", options.Upstream.TotalTimeoutSeconds, 1, 86400);
        Range(errors, "Gateway:Upstream:MaxRetries", options.Upstream.MaxRetries, 0, 10);
        Range(errors, "Gateway:Cache:DefaultTtlSeconds", options.Cache.DefaultTtlSeconds, 1, 31536000);
        Range(errors, "Gateway:Cache:MaxEntryBytes", options.Cache.MaxEntryBytes, 1024, 512 * 1024 * 1024);
        Range(errors, "Gateway:Cache:MemoryLimitBytes", options.Cache.MemoryLimitBytes, 1024 * 1024, 64L << 30);
        foreach (var (routeName, route) in options.Routes)
        {
            if (route.TtlSeconds is { } ttl)
            {
                Range(errors, $"Gateway:Routes:{routeName}:TtlSeconds", ttl, 1, 31536000);
            }
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Gateway:DataDir must name a folder.");
        }

        if (options.Auth.Mode == AuthMode.VirtualKeys && string.IsNullOrEmpty(options.Upstream.ApiKey))
        {
            errors.Add("Gateway:Auth:Mode is VirtualKeys but no upstream key is set: set OPENAI_API_KEY or Gateway:Upstream:ApiKey.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{key} is {value}; it must be between {min} and {max}.");
        }
    }
}
