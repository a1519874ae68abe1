using AiGateway.Transforms.Endpoints;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// The <see cref="IAnswerSink"/>s of one call, in registration order: the steps add theirs on the way down, and the
/// answer the call leads (if it leads one) runs them on the way back up. A request feature; see <see cref="For"/>.
/// </summary>
public sealed class AnswerSinks
{
    private readonly List<IAnswerSink> _sinks = new(4);

    /// <summary>The call's sinks, made on first use.</summary>
    public static AnswerSinks For(HttpContext context)
    {
        if (context.Features.Get<AnswerSinks>() is not { } sinks)
        {
            sinks = new AnswerSinks();
            context.Features.Set(sinks);
        }

        return sinks;
    }

    /// <summary>Adds a sink after those already registered.</summary>
    public void Add(IAnswerSink sink) => _sinks.Add(sink);

    /// <summary>The first sink of type <typeparamref name="T"/>, if one was added.</summary>
    public T? Find<T>() where T : class, IAnswerSink
    {
        foreach (var sink in _sinks)
        {
            if (sink is T found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>Tells every sink that the upstream answered.</summary>
    internal void Start(LiveResponse answer, HttpResponse leaderResponse)
    {
        foreach (var sink in _sinks)
        {
            sink.OnStart(answer, leaderResponse);
        }
    }

    /// <summary>Tells every sink the answer's usage.</summary>
    internal void Usage(LiveResponse answer, TokenUsage usage)
    {
        foreach (var sink in _sinks)
        {
            sink.OnUsage(answer, usage);
        }
    }

    /// <summary>
    /// Starts every sink's end-of-answer work in order, then waits for all of it: on one Redis connection the cache
    /// entry goes out ahead of the mirror's end entry, so whoever learns of the end finds the entry, in one round trip.
    /// </summary>
    internal Task CompleteAsync(LiveResponse answer, ReadOnlyMemory<byte> body)
    {
        if (_sinks.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (_sinks.Count == 1)
        {
            return _sinks[0].OnCompleteAsync(answer, body);
        }

        var work = new Task[_sinks.Count];
        for (var i = 0; i < work.Length; i++)
        {
            work[i] = _sinks[i].OnCompleteAsync(answer, body);
        }

        return Task.WhenAll(work);
    }
}
