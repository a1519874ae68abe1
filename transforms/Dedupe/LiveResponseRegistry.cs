using System.Collections.Concurrent;

namespace AiGateway.Transforms.Dedupe;

/// <summary>
/// The answers this instance is producing: in flight by fingerprint (for dedupe), and by response id until
/// <c>Gateway:Resume:WindowSeconds</c> after they end (for resume).
/// </summary>
internal sealed class LiveResponseRegistry
{
    private readonly ConcurrentDictionary<string, LiveResponse> _inflight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveResponse> _byResponseId = new(StringComparer.Ordinal);

    /// <summary>Registers <paramref name="candidate"/> as the leader for its fingerprint, or returns the one already in flight.</summary>
    public LiveResponse LeadOrJoin(LiveResponse candidate)
    {
        while (true)
        {
            var existing = _inflight.GetOrAdd(candidate.Fingerprint, candidate);
            // An answer that has ended is no longer in flight, even if its leader has not let go of the slot yet.
            if (existing == candidate || !existing.IsFinished || _inflight.TryUpdate(candidate.Fingerprint, candidate, existing))
            {
                return existing.IsFinished ? candidate : existing;
            }
        }
    }

    /// <summary>The answers in flight now.</summary>
    internal ICollection<LiveResponse> Inflight => _inflight.Values;

    /// <summary>Puts <paramref name="replacement"/> in flight instead of <paramref name="current"/> (a local copy of a remote leader's answer).</summary>
    public bool Replace(LiveResponse current, LiveResponse replacement) => _inflight.TryUpdate(current.Fingerprint, replacement, current);

    /// <summary>Makes a streamed answer resumable by its response id while it runs (and after, see <see cref="Release"/>).</summary>
    public void Track(LiveResponse live)
    {
        if (live.IsStream)
        {
            _byResponseId[live.ResponseId] = live;
        }
    }

    /// <summary>The answer with this response id, in flight or recently ended, or null.</summary>
    public LiveResponse? Find(string responseId) => _byResponseId.GetValueOrDefault(responseId);

    /// <summary>Ends the leadership of <paramref name="live"/>, and forgets it after the resume window.</summary>
    public void Release(LiveResponse live, TimeSpan resumeWindow)
    {
        _inflight.TryRemove(new KeyValuePair<string, LiveResponse>(live.Fingerprint, live));
        // Only a stream can be resumed, and a cached one is resumed from the cache: holding either for the whole
        // window would keep every recent answer in memory.
        if (!live.IsStream || live.Cached || resumeWindow <= TimeSpan.Zero)
        {
            _byResponseId.TryRemove(new KeyValuePair<string, LiveResponse>(live.ResponseId, live));
            return;
        }

        _ = ForgetAfterAsync(live, resumeWindow);
    }

    private async Task ForgetAfterAsync(LiveResponse live, TimeSpan window)
    {
        if (window > TimeSpan.Zero)
        {
            await Task.Delay(window);
        }

        _byResponseId.TryRemove(new KeyValuePair<string, LiveResponse>(live.ResponseId, live));
    }
}
