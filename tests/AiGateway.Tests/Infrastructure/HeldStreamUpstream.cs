using Microsoft.AspNetCore.Http;

namespace AiGateway.Tests.Infrastructure;

/// <summary>
/// An upstream whose chat streams send their first token and then hold until the test releases them, so a call stays in
/// flight as long as the test needs; it records its calls and whether the gateway stopped one (closed it before the end).
/// </summary>
internal sealed class HeldStreamUpstream : IAsyncDisposable
{
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;

    private HeldStreamUpstream(ScriptedUpstream upstream) => Upstream = upstream;

    /// <summary>The upstream server.</summary>
    public ScriptedUpstream Upstream { get; private set; }

    /// <summary>Calls received.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Completes when the gateway closed a held call before its end: the upstream call was cancelled.</summary>
    public Task Stopped => _stopped.Task;

    /// <summary>The whole text a released stream carries.</summary>
    public const string Text = "Hello world";

    /// <summary>Starts the upstream.</summary>
    public static async Task<HeldStreamUpstream> StartAsync()
    {
        HeldStreamUpstream? held = null;
        var upstream = await ScriptedUpstream.StartAsync(context => held!.HandleAsync(context));
        held = new HeldStreamUpstream(upstream);
        return held;
    }

    /// <summary>Lets every held stream (and every later one, until <see cref="Hold"/>) finish.</summary>
    public void Release() => Volatile.Read(ref _release).TrySetResult();

    /// <summary>Holds the streams that start from now on, until the next <see cref="Release"/>.</summary>
    public void Hold() => Volatile.Write(ref _release, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        Release();
        return Upstream.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _calls);
        await context.Request.Body.CopyToAsync(Stream.Null);
        context.Response.ContentType = "text/event-stream";
        await ScriptedUpstream.WriteEventAsync(context.Response, Chunk("Hello"));
        var release = Volatile.Read(ref _release).Task;
        try
        {
            await release.WaitAsync(context.RequestAborted);
            await ScriptedUpstream.WriteEventAsync(context.Response, Chunk(" world"));
            await ScriptedUpstream.WriteEventAsync(context.Response, "data: [DONE]\n\n");
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            _stopped.TrySetResult();
        }
    }

    private static string Chunk(string content) =>
        $"data: {{\"id\":\"chatcmpl-held\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-mini\",\"choices\":[{{\"index\":0,\"delta\":{{\"content\":\"{content}\"}},\"finish_reason\":null}}]}}\n\n";
}
