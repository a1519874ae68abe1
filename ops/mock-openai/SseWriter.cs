using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;

namespace MockOpenAi;

/// <summary>
/// Writes one SSE event at a time straight into the response pipe and flushes it, spacing events by the
/// chunk delay and aborting the connection after the configured number of events.
/// </summary>
internal sealed class SseWriter
{
    private static readonly byte[] DoneEvent = "data: [DONE]\n\n"u8.ToArray();

    private const int DropSettleMs = 50;

    private readonly MockCall _call;
    private readonly PipeWriter _pipe;

    // The next event is built here, not in the response pipe, and copied there only once its delay is over. Over
    // HTTP/2, Kestrel's connection writer spins on a stream whose body has bytes written (advanced) but not yet
    // flushed: an event left unflushed through the chunk delay kept a core busy per connection, and at a thousand
    // slow streams the starved mock stalled for seconds and its connections were reset.
    private readonly ArrayBufferWriter<byte> _event = new(1024);
    private readonly Utf8JsonWriter _json;
    private int _events;

    private SseWriter(MockCall call)
    {
        _call = call;
        _pipe = call.Http.Response.BodyWriter;
        _json = new Utf8JsonWriter(_event, MockHttp.WriterOptions);
    }

    /// <summary>Sets the stream headers; returns null when the connection was dropped before any event.</summary>
    public static async Task<SseWriter?> StartAsync(MockCall call)
    {
        MockHttp.SetCommonHeaders(call, StatusCodes.Status200OK, MockHttp.SseContentType);
        call.Http.Response.Headers.CacheControl = "no-cache";
        if (call.Settings.DropAfterEvents is <= 0)
        {
            await call.Http.Response.StartAsync(call.Aborted);
            await call.Http.Response.BodyWriter.FlushAsync(call.Aborted);
            await DropAsync(call);
            return null;
        }

        return new SseWriter(call);
    }

    /// <summary>Starts an event (with an <c>event:</c> line when a name is given); write the JSON payload next.</summary>
    public Utf8JsonWriter BeginData(ReadOnlySpan<byte> eventName = default)
    {
        if (!eventName.IsEmpty)
        {
            _event.Write("event: "u8);
            _event.Write(eventName);
            _event.Write("\n"u8);
        }

        _event.Write("data: "u8);
        _json.Reset(_event);
        return _json;
    }

    /// <summary>Ends the event and sends it; false when the stream must stop (dropped or client gone).</summary>
    public ValueTask<bool> EndDataAsync()
    {
        _json.Flush();
        _event.Write("\n\n"u8);
        return SendAsync();
    }

    public ValueTask<bool> WriteDoneAsync()
    {
        _event.Write(DoneEvent);
        return SendAsync();
    }

    // A flush only hands the bytes to the transport; aborting at once would discard the events not yet on
    // the socket, so the client would not see exactly N events before the reset.
    private static async Task DropAsync(MockCall call)
    {
        await Task.Delay(DropSettleMs, call.Aborted);
        call.Http.Abort();
    }

    private async ValueTask<bool> SendAsync()
    {
        // The delay sits before the flush so the client sees events spaced by it, the first one at once.
        if (_events > 0 && _call.Settings.ChunkDelayMs > 0)
            await Task.Delay(_call.Settings.ChunkDelayMs, _call.Aborted);

        _pipe.Write(_event.WrittenSpan);
        _event.ResetWrittenCount();
        var result = await _pipe.FlushAsync(_call.Aborted);
        _events++;
        if (_events == _call.Settings.DropAfterEvents)
        {
            await DropAsync(_call);
            return false;
        }

        return !result.IsCompleted && !result.IsCanceled;
    }
}
