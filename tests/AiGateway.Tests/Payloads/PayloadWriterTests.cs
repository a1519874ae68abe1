using System.Diagnostics.Metrics;
using System.Text;
using AiGateway.Config;
using AiGateway.Tests.Infrastructure;
using AiGateway.Transforms.Endpoints;
using AiGateway.Transforms.Payloads;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace AiGateway.Tests.Payloads;

/// <summary>The payload writer gives way first: a stalled or failing store drops payloads, never blocks a call.</summary>
public sealed class PayloadWriterTests
{
    [Fact]
    public async Task TryWrite_StoreStalledAndQueueFull_DropsAtOnceAndCountsThem_ThenWritesWhatItHeld()
    {
        var store = new StalledStore();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var writer = Writer(store, services, capacity: 16);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(writer.TryWrite(Capture()));
            await store.Entered.Task.WaitAsync(TimeSpan.FromSeconds(30));

            // The writer is stuck in the store: the queue fills, then every payload more is refused without waiting.
            var accepted = Enumerable.Range(0, 26).Count(_ => writer.TryWrite(Capture()));

            Assert.Equal(16, accepted);
            Assert.Equal(10, writer.Dropped);
            store.Release.SetResult();
            await Eventually.UntilAsync(() => writer.Written == 17, "the held payloads to be written");
            Assert.Equal(10, writer.Dropped);
        }
        finally
        {
            store.Release.TrySetResult();
            await writer.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Write_StoreFails_PayloadsDroppedAndCounted_WriterGoesOn()
    {
        var store = new StalledStore { FailNext = 1 };
        store.Release.SetResult();
        await using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var writer = Writer(store, services, capacity: 16);
        await writer.StartAsync(CancellationToken.None);
        try
        {
            writer.TryWrite(Capture());
            await Eventually.UntilAsync(() => writer.Dropped == 1, "the failed payload to be counted");
            writer.TryWrite(Capture());
            await Eventually.UntilAsync(() => writer.Written == 1, "the next payload to be written");
        }
        finally
        {
            await writer.StopAsync(CancellationToken.None);
        }
    }

    private static PayloadWriter Writer(IPayloadStore store, IServiceProvider services, int capacity)
    {
        var options = new FixedOptionsMonitor<GatewayOptions>(new GatewayOptions { Payloads = new PayloadsOptions { QueueCapacity = capacity } });
        return new PayloadWriter(new PayloadComposer(new PayloadRedactor([]), options), store, options, TimeProvider.System,
            services.GetRequiredService<IMeterFactory>(), NullLogger<PayloadWriter>.Instance);
    }

    private static PayloadCapture Capture() => new()
    {
        RequestId = Guid.NewGuid(),
        Ts = DateTimeOffset.UtcNow,
        OrgId = "acme",
        Level = "redacted",
        Endpoint = AiEndpoint.ChatCompletions,
        Request = Encoding.UTF8.GetBytes("""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"mail a@example.com"}]}"""),
    };

    /// <summary>A store whose first write waits for <see cref="Release"/>; <see cref="FailNext"/> writes throw.</summary>
    private sealed class StalledStore : IPayloadStore
    {
        private int _written;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int FailNext { get; set; }

        public async Task WriteAsync(IReadOnlyList<PayloadRecord> batch, CancellationToken cancellationToken)
        {
            Entered.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            if (FailNext > 0)
            {
                FailNext--;
                throw new InvalidOperationException("store down");
            }

            Assert.All(batch, record => Assert.DoesNotContain("a@example.com", record.RequestBody, StringComparison.Ordinal));
            Interlocked.Add(ref _written, batch.Count);
        }

        public Task<long> MaintainAsync(DateTimeOffset now, int retentionDays, CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task<long> EraseAsync(string orgId, string? customerId, CancellationToken cancellationToken) => Task.FromResult(0L);

        public Task<IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>>> SearchAsync(LogSearch search, CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<IReadOnlyList<KeyValuePair<string, object?>>>>([]);

        public Task<LoggedCall?> ReadAsync(Guid requestId, CancellationToken cancellationToken) => Task.FromResult<LoggedCall?>(null);
    }
}
