using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace AiGateway.Tests.Gateway;

/// <summary>ASP.NET Core's per-request log (and the Activity it costs each request) is off unless configuration turns it on.</summary>
public sealed class GatewayLoggingBuilderExtensionsTests
{
    [Fact]
    public void AddRequestLogDefault_AspNetCoreAtWarning_RequestLogOffOtherCategoriesUnchanged()
    {
        using var services = Build(new() { ["Logging:LogLevel:Default"] = "Information", ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning" });
        var loggers = services.GetRequiredService<ILoggerFactory>();

        Assert.False(loggers.CreateLogger(GatewayLoggingBuilderExtensions.RequestLogCategory).IsEnabled(LogLevel.Critical));
        Assert.True(loggers.CreateLogger("Microsoft.AspNetCore.Server.Kestrel").IsEnabled(LogLevel.Warning));
        Assert.True(loggers.CreateLogger("AiGateway.Transforms").IsEnabled(LogLevel.Information));
    }

    [Fact]
    public void AddRequestLogDefault_CategoryConfigured_ConfigurationWins()
    {
        using var services = Build(new() { [$"Logging:LogLevel:{GatewayLoggingBuilderExtensions.RequestLogCategory}"] = "Information" });

        Assert.True(services.GetRequiredService<ILoggerFactory>().CreateLogger(GatewayLoggingBuilderExtensions.RequestLogCategory).IsEnabled(LogLevel.Information));
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddLogging(logging => logging.AddConfiguration(configuration.GetSection("Logging")).AddProvider(new EnabledLoggerProvider()).AddRequestLogDefault())
            .BuildServiceProvider();
    }

    // A provider whose loggers take every level, so IsEnabled reflects the filter rules alone.
    private sealed class EnabledLoggerProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }

        public void Dispose()
        {
        }
    }
}
