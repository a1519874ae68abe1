using System.Collections.Concurrent;
using AiGateway.Transforms.Redis;
using AiGateway.Transforms.Relay;
using StackExchange.Redis;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// Where readers on other instances ask for an answer this instance leads: its log in Redis starts only then
/// (<see cref="RedisLiveMirror.Activate"/>). An instance listens before it takes its first lease, so no request for
/// one of its answers can go unheard; a request it misses while Redis reconnects is sent again by the reader.
/// </summary>
internal sealed class RedisMirrorRequests(RedisConnection redis, LiveResponseRegistry registry)
{
    private readonly Lock _gate = new();
    // The answers this instance leads across instances, by response id, from before their lease is tried to their end.
    private readonly ConcurrentDictionary<string, RedisLiveMirror> _leading = new(StringComparer.Ordinal);
    private Task? _listening;

    /// <summary>Completes once this instance hears requests (at once after the first time).</summary>
    public Task ListenAsync()
    {
        var listening = _listening;
        if (listening is { IsCompletedSuccessfully: true })
        {
            return listening;
        }

        lock (_gate)
        {
            // A failed subscription is tried again by the next leader.
            if (_listening is null || _listening.IsFaulted || _listening.IsCanceled)
            {
                _listening = redis.Multiplexer.GetSubscriber().SubscribeAsync(RedisLiveKeys.MirrorRequests, (_, message) => OnRequest(message));
            }

            return _listening;
        }
    }

    /// <summary>Hears requests for <paramref name="mirror"/>'s answer.</summary>
    public void Add(RedisLiveMirror mirror) => _leading[mirror.ResponseId] = mirror;

    /// <summary>Stops hearing requests for <paramref name="mirror"/>'s answer (a stream ended is still found for resumes).</summary>
    public void Remove(RedisLiveMirror mirror) => _leading.TryRemove(new KeyValuePair<string, RedisLiveMirror>(mirror.ResponseId, mirror));

    /// <summary>Asks the instance that leads answer <paramref name="responseId"/> of <paramref name="fingerprint"/> for its log.</summary>
    public static Task RequestAsync(IDatabase database, string fingerprint, string responseId) =>
        database.PublishAsync(RedisLiveKeys.MirrorRequests, fingerprint + " " + responseId, CommandFlags.FireAndForget);

    private void OnRequest(RedisValue message)
    {
        // Runs on the subscriber's thread: a lookup and a flag, nothing that waits.
        // An answer led here, or a stream kept for resumes after it ended unasked (written whole then).
        var text = (string?)message;
        var space = text?.LastIndexOf(' ') ?? -1;
        if (space <= 0)
        {
            return;
        }

        var responseId = text![(space + 1)..];
        var mirror = _leading.GetValueOrDefault(responseId) ?? registry.Find(responseId)?.Sinks?.Find<RedisLiveMirror>();
        if (mirror is not null && text.AsSpan(0, space).SequenceEqual(mirror.Fingerprint))
        {
            mirror.Activate();
        }
    }
}
