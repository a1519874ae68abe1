using System.Collections.Concurrent;

namespace MockOpenAi;

internal sealed class MockState(MockOpenAiOptions options)
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private MockOpenAiOptions _options = options;
    private int _requestCount;

    public MockOpenAiOptions Options
    {
        get => Volatile.Read(ref _options);
        set => Volatile.Write(ref _options, value ?? throw new ArgumentNullException(nameof(value)));
    }

    public int RequestCount => Volatile.Read(ref _requestCount);

    public void CountRequest() => Interlocked.Increment(ref _requestCount);

    public void Record(RecordedRequest request) => _requests.Enqueue(request);

    public IReadOnlyList<RecordedRequest> Snapshot() => _requests.ToArray();

    public void Clear()
    {
        _requests.Clear();
        Interlocked.Exchange(ref _requestCount, 0);
    }
}
