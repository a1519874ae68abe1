using Microsoft.Extensions.Options;

namespace AiGateway.Tests.Infrastructure;

/// <summary>An <see cref="IOptionsMonitor{TOptions}"/> over one fixed value.</summary>
internal sealed class FixedOptionsMonitor<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
