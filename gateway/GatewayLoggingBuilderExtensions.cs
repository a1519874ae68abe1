namespace AiGateway;

/// <summary>The gateway's logging defaults, which configuration can still override.</summary>
internal static class GatewayLoggingBuilderExtensions
{
    /// <summary>The category of ASP.NET Core's per-request log lines (<c>Request starting</c>, <c>Request finished</c>).</summary>
    public const string RequestLogCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>Turns ASP.NET Core's per-request log off unless configuration names its category.</summary>
    public static ILoggingBuilder AddRequestLogDefault(this ILoggingBuilder logging)
    {
        // While this category is enabled at any level, ASP.NET Core starts an Activity for every request only to give
        // its log scope a trace id, and sets it in an AsyncLocal: 0.6 KB and an ExecutionContext copy per request, as
        // much as the gateway's own work on a cache hit. Its lines are Information, which "Microsoft.AspNetCore":
        // "Warning" hides anyway. Inserted at the head of the rules, so a configured rule for this very category comes
        // after it and wins; with OTLP tracing on, the tracer listens and spans are created as before.
        logging.Services.Configure<LoggerFilterOptions>(options =>
            options.Rules.Insert(0, new LoggerFilterRule(null, RequestLogCategory, LogLevel.None, null)));
        return logging;
    }
}
