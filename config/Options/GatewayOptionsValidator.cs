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
        Range(errors, "Gateway:Upstream:RetryBaseDelayMilliseconds", options.Upstream.RetryBaseDelayMilliseconds, 0, 60000);
        Range(errors, "Gateway:Upstream:MaxRetryDelaySeconds", options.Upstream.MaxRetryDelaySeconds, 0, 600);
        Range(errors, "Gateway:Upstream:CircuitBreakerFailures", options.Upstream.CircuitBreakerFailures, 1, 1000);
        Range(errors, "Gateway:Log:FlushIntervalMs", options.Log.FlushIntervalMs, 10, 1000);
        Range(errors, "Gateway:Log:RetentionMonths", options.Log.RetentionMonths, 1, 120);
        Range(errors, "Gateway:Log:UnauthenticatedRowsPerMinute", options.Log.UnauthenticatedRowsPerMinute, 1, 60000);
        Range(errors, "Gateway:Log:QueueCapacity", options.Log.QueueCapacity, 1000, 10_000_000);
        Range(errors, "Gateway:Log:BatchSize", options.Log.BatchSize, 100, 100_000);
        Range(errors, "Gateway:Log:PriceRefreshSeconds", options.Log.PriceRefreshSeconds, 5, 86400);
        Range(errors, "Gateway:Cache:DefaultTtlSeconds", options.Cache.DefaultTtlSeconds, 1, 31536000);
        Range(errors, "Gateway:Cache:MaxEntryBytes", options.Cache.MaxEntryBytes, 1024, 512 * 1024 * 1024);
        Range(errors, "Gateway:Cache:MemoryLimitBytes", options.Cache.MemoryLimitBytes, 1024 * 1024, 64L << 30);
        Range(errors, "Gateway:Cache:NearSeconds", options.Cache.NearSeconds, 0, 60);
        Range(errors, "Gateway:Cache:NearLimitBytes", options.Cache.NearLimitBytes, 1024 * 1024, 64L << 30);
        Range(errors, "Gateway:Dedupe:MaxWaitSeconds", options.Dedupe.MaxWaitSeconds, 1, 86400);
        Range(errors, "Gateway:Dedupe:LeaseSeconds", options.Dedupe.LeaseSeconds, 2, 300);
        Range(errors, "Gateway:Resume:WindowSeconds", options.Resume.WindowSeconds, 0, 86400);
        Range(errors, "Gateway:Resume:GraceSeconds", options.Resume.GraceSeconds, 0, 3600);
        Range(errors, "Gateway:Resume:MaxBytes", options.Resume.MaxBytes, 0, 64L << 30);
        Range(errors, "Gateway:Limits:DefaultOutputTokens", options.Limits.DefaultOutputTokens, 0, 1_000_000);
        Range(errors, "Gateway:Limits:ConcurrencyLeaseSeconds", options.Limits.ConcurrencyLeaseSeconds, 60, 86400);
        Range(errors, "Gateway:Limits:MaxTrackedScopes", options.Limits.MaxTrackedScopes, 1000, 10_000_000);
        Range(errors, "Gateway:Streaming:KeepAliveSeconds", options.Streaming.KeepAliveSeconds, 0, 3600);
        Range(errors, "Gateway:Payloads:MaxBytes", options.Payloads.MaxBytes, 1024, 16 * 1024 * 1024);
        Range(errors, "Gateway:Payloads:RetentionDays", options.Payloads.RetentionDays, 1, 3650);
        Range(errors, "Gateway:Payloads:QueueCapacity", options.Payloads.QueueCapacity, 16, 1_000_000);
        for (var i = 0; i < options.Payloads.Redact.Patterns.Count; i++)
        {
            try
            {
                _ = new System.Text.RegularExpressions.Regex(options.Payloads.Redact.Patterns[i]);
            }
            catch (ArgumentException ex)
            {
                errors.Add($"Gateway:Payloads:Redact:Patterns:{i} is not a regular expression: {ex.Message}");
            }
        }

        CorsOptionsCheck.Check(errors, options.Cors);
        WallsOptionsCheck.Check(errors, options.Walls);
        foreach (var (routeName, route) in options.Routes)
        {
            if (route.TtlSeconds is { } ttl)
            {
                Range(errors, $"Gateway:Routes:{routeName}:TtlSeconds", ttl, 1, 31536000);
            }

            if (route.RpmLimit is { } rpm)
            {
                Range(errors, $"Gateway:Routes:{routeName}:RpmLimit", rpm, 1, 10_000_000);
            }

            if (route.TpmLimit is { } tpm)
            {
                Range(errors, $"Gateway:Routes:{routeName}:TpmLimit", tpm, 1, 10_000_000_000);
            }

            if (route.PayloadLogging is { } logging && logging is not ("off" or "metadata" or "redacted" or "full"))
            {
                errors.Add($"Gateway:Routes:{routeName}:PayloadLogging is '{logging}'; it must be off, metadata, redacted or full.");
            }

            if (route.MaxConcurrent is { } concurrent)
            {
                Range(errors, $"Gateway:Routes:{routeName}:MaxConcurrent", concurrent, 1, 100_000);
            }
        }

        foreach (var (model, fallback) in options.Upstream.FallbackModels)
        {
            if (string.IsNullOrWhiteSpace(fallback))
            {
                errors.Add($"Gateway:Upstream:FallbackModels:{model} must name a model.");
            }
            else if (string.Equals(model.Trim(), fallback.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"Gateway:Upstream:FallbackModels:{model} is '{fallback}', the model itself; a fallback must be another model.");
            }
        }

        if (options.Auto.SmartAboveBudgetShare is < 0 or > 1)
        {
            errors.Add($"Gateway:Auto:SmartAboveBudgetShare is {options.Auto.SmartAboveBudgetShare}; it must be between 0 and 1.");
        }

        if (string.IsNullOrWhiteSpace(options.DataDir))
        {
            errors.Add("Gateway:DataDir must name a folder.");
        }

        if (!string.IsNullOrEmpty(options.Admin.ReadOnlyKey))
        {
            if (string.IsNullOrEmpty(options.Admin.Key))
            {
                // Without a full key the operator API answers loopback in full; a read-only key would then read less than no key.
                errors.Add("Gateway:Admin:ReadOnlyKey is set but Gateway:Admin:Key is not: set the full admin key as well.");
            }
            else if (options.Admin.ReadOnlyKey == options.Admin.Key)
            {
                errors.Add("Gateway:Admin:ReadOnlyKey is the same as Gateway:Admin:Key: the read-only key must be another key.");
            }
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
