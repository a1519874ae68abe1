using AiGateway.Transforms.Endpoints;
using Microsoft.AspNetCore.Http;

namespace AiGateway.Transforms.Relay;

/// <summary>
/// Work that belongs to the life of an answer a call leads, registered by the steps before the upstream call (in
/// <see cref="AnswerSinks"/>) instead of being reached for from the relay: pricing the usage, storing the answer in the
/// cache, ending its Redis mirror. Each member is called once, in the order the sinks were registered.
/// </summary>
public interface IAnswerSink
{
    /// <summary>The upstream answered: status and headers are known and nothing has reached the client yet (the last moment to set the leader's response headers). Runs on the request's thread.</summary>
    void OnStart(LiveResponse answer, HttpResponse leaderResponse)
    {
    }

    /// <summary>The upstream's token count arrived, before the event that carries it (or the body) reaches any client.</summary>
    void OnUsage(LiveResponse answer, TokenUsage usage)
    {
    }

    /// <summary>
    /// The answer is complete (the whole <paramref name="body"/> of a non-stream answer, or the terminal event of a
    /// stream): started before any client sees the end, and awaited with the other sinks' work before it.
    /// </summary>
    Task OnCompleteAsync(LiveResponse answer, ReadOnlyMemory<byte> body) => Task.CompletedTask;
}
